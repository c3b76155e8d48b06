// A small client for the JSON API: bearer token, idempotency keys, problem+json errors.
export const money = (centavos) => (centavos / 100).toFixed(2);
export const centavos = (reais) => Math.round(Number(reais) * 100);

export class ApiError extends Error {
  constructor(problem) {
    super(problem.detail || problem.title);
    this.problem = problem;
  }
}

export function createClient(storageKey) {
  let token = sessionStorage.getItem(storageKey);
  async function call(method, path, body, { idempotent = false } = {}) {
    const headers = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (idempotent) headers["idempotency-key"] = crypto.randomUUID();
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 204) return null;
    const data = await response.json();
    if (!response.ok) throw new ApiError(data);
    return data;
  }
  return {
    call,
    get loggedIn() { return Boolean(token); },
    async login(email, password, otp) {
      const body = { email, password };
      if (otp) body.otp = otp;
      const pair = await call("POST", "/v1/auth/login", body);
      token = pair.access_token;
      sessionStorage.setItem(storageKey, token);
      return pair;
    },
    logout() { token = null; sessionStorage.removeItem(storageKey); },
  };
}

export function show(element, text, isError = false) {
  element.textContent = text;
  element.classList.toggle("error", isError);
}
