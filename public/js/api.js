// The JSON API client: bearer tokens kept in sessionStorage (a reload keeps the login, closing
// the tab ends it), silent refresh before and after `token_expired` with one refresh in flight
// at a time (parallel requests share it, so the single-use refresh token is never raced),
// problem+json errors as ApiError, and idempotency keys supplied by the caller's intent.

const REFRESH_MARGIN_MS = 30_000;

export class ApiError extends Error {
  constructor(status, problem = {}, retryAfter = null) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code ?? (status ? `http_${status}` : "network_error");
    this.detail = problem.detail ?? "";
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

/** True when the server has no such endpoint yet (an older backend): the page says so and
 *  carries on, instead of failing. A missing resource on a known endpoint has its own detail. */
export function isMissingEndpoint(error) {
  return error instanceof ApiError && (error.status === 405 || (error.status === 404 && error.detail === "Not Found"));
}

export function decodeClaims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")));
  } catch {
    return {};
  }
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return {};
  }
}

export function createClient({ storageKey, onSessionEnded = () => {} }) {
  let tokens = null;
  try {
    tokens = JSON.parse(sessionStorage.getItem(storageKey) ?? "null");
  } catch {
    tokens = null;
  }
  let refreshing = null;

  function save(pair) {
    tokens = {
      access: pair.access_token,
      refresh: pair.refresh_token,
      expiresAt: Date.now() + Number(pair.expires_in ?? 900) * 1000,
    };
    sessionStorage.setItem(storageKey, JSON.stringify(tokens));
  }

  function forget() {
    tokens = null;
    sessionStorage.removeItem(storageKey);
  }

  async function send(method, path, { body, headers = {}, auth = true, contentType = "application/json" } = {}) {
    const all = { ...headers };
    let payload;
    if (body !== undefined) {
      all["content-type"] = contentType;
      payload = contentType === "application/json" ? JSON.stringify(body) : body;
    }
    if (auth && tokens?.access) all.authorization = `Bearer ${tokens.access}`;
    try {
      return await fetch(path, { method, headers: all, body: payload, cache: "no-store" });
    } catch (error) {
      throw new ApiError(0, { code: "network_error", detail: String(error?.message ?? error) });
    }
  }

  /** One refresh at a time: every caller awaits the same rotation. A refused refresh ends the
   *  login (the page shows the login form); a network failure keeps the tokens for a retry. */
  function refresh() {
    if (!refreshing) {
      refreshing = (async () => {
        if (!tokens?.refresh) throw new ApiError(401, { code: "session_ended" });
        const response = await send("POST", "/v1/auth/refresh", { body: { refresh_token: tokens.refresh }, auth: false });
        if (!response.ok) {
          const problem = await problemOf(response);
          forget();
          onSessionEnded(problem.code ?? "session_ended");
          throw new ApiError(401, { code: "session_ended", detail: problem.detail });
        }
        save(await response.json());
      })().finally(() => {
        refreshing = null;
      });
    }
    return refreshing;
  }

  async function request(method, path, options = {}) {
    const { idempotencyKey, accept, raw = false, auth = true } = options;
    const headers = { ...(options.headers ?? {}) };
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
    if (accept) headers.accept = accept;
    if (auth && tokens && tokens.expiresAt - Date.now() < REFRESH_MARGIN_MS) {
      await refresh();
    }
    for (let attempt = 0; ; attempt++) {
      const sentWith = tokens?.access;
      const response = await send(method, path, { ...options, headers, auth });
      if (response.status === 401 && auth && tokens && attempt === 0) {
        const problem = await problemOf(response.clone());
        if (problem.code === "token_expired" || problem.code === "invalid_token") {
          // Another request may have rotated the pair already: then just retry with it.
          if (tokens?.access === sentWith) await refresh();
          continue;
        }
      }
      if (!response.ok) {
        throw new ApiError(response.status, await problemOf(response), response.headers.get("retry-after"));
      }
      if (raw) return response;
      if (response.status === 204) return null;
      const type = response.headers.get("content-type") ?? "";
      return type.includes("json") ? response.json() : response.text();
    }
  }

  return {
    request,
    get: (path, options) => request("GET", path, options),
    post: (path, body, options = {}) => request("POST", path, { ...options, body }),
    put: (path, body, options = {}) => request("PUT", path, { ...options, body }),
    get loggedIn() {
      return Boolean(tokens?.access);
    },
    get claims() {
      return tokens?.access ? decodeClaims(tokens.access) : {};
    },
    async login(credentials) {
      const pair = await request("POST", "/v1/auth/login", { body: credentials, auth: false });
      save(pair);
      return decodeClaims(pair.access_token);
    },
    async logout() {
      const refreshToken = tokens?.refresh;
      forget();
      if (refreshToken) {
        await send("POST", "/v1/auth/logout", { body: { refresh_token: refreshToken }, auth: false }).catch(() => null);
      }
    },
    forget,
  };
}
