// A request to the Worker through the conformance host (a fresh `Default`, as workerd makes
// one): its status and its body (JSON when it is JSON). Shared by bench/pyodide.mjs and
// bench/pyodide_requests.mjs.
export async function call(host, method, url, body, headers = {}) {
  const request = new Request(`https://casino.test${url}`, {
    method, headers: { "content-type": "application/json", ...headers }, body: body && JSON.stringify(body),
  });
  const response = await host.fetch(request);
  const text = await response.text();
  return { status: response.status, body: text.startsWith("{") ? JSON.parse(text) : text };
}
