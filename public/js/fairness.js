// The fairness derivation of the API contract, recomputed in the browser (Web Crypto + BigInt),
// and the rules of every game, written here independently of the server: a player checks a
// revealed seed against the round list without trusting anything else the server says.

const encoder = new TextEncoder();
const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
const TWO_64 = 2n ** 64n;

export const SEED_PATTERN = /^[0-9a-f]{64}$/;

export async function sha256Hex(text) {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** The draws of one round: `below(k)` takes the next unbiased integer in [0, k). */
export class RoundDraws {
  constructor(key, clientSeed, nonce) {
    this.key = key;
    this.prefix = `${clientSeed}:${nonce}:`;
    this.cursor = 0;
  }

  async below(k) {
    const K = BigInt(k);
    const limit = (TWO_64 / K) * K;
    for (;;) {
      const digest = await crypto.subtle.sign("HMAC", this.key, encoder.encode(this.prefix + this.cursor));
      this.cursor += 1;
      const u = new DataView(digest).getBigUint64(0, false);
      if (u < limit) return Number(u % K);
    }
  }
}

export async function hmacKey(serverSeed) {
  return crypto.subtle.importKey("raw", encoder.encode(serverSeed), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

// ------------------------------------------------------------------ the games' rules

const isInt = (v) => Number.isSafeInteger(v);
const floorDiv = (a, b) => Number(BigInt(a) / BigInt(b));

const STRIP = ["7", "BAR", "BAR", "BAR", "BELL", "BELL", "BELL", "BELL", "CHERRY", "CHERRY", "CHERRY",
  "CHERRY", "CHERRY", "LEMON", "LEMON", "LEMON", "LEMON", "LEMON", "LEMON", "LEMON"];
const SLOT_LINES = [["three_7", 500], ["three_bar", 60], ["three_bell", 25], ["three_cherry", 12],
  ["three_lemon", 5], ["two_cherries", 2]];

export function slotLine(symbols) {
  if (symbols[0] === symbols[1] && symbols[1] === symbols[2]) return `three_${symbols[0].toLowerCase()}`;
  if (symbols.filter((s) => s === "CHERRY").length === 2) return "two_cherries";
  return null;
}

let slotCounts = null;
function slotLineCounts() {
  if (!slotCounts) {
    slotCounts = {};
    for (const a of STRIP) for (const b of STRIP) for (const c of STRIP) {
      const line = slotLine([a, b, c]) ?? "none";
      slotCounts[line] = (slotCounts[line] ?? 0) + 1;
    }
  }
  return slotCounts;
}

/** Each line's multiplier in hundredths at `rtp_bps`, scaled exactly as the game defines it. */
export function slotPaytable(rtpBps) {
  const counts = slotLineCounts();
  const target = (rtpBps * STRIP.length ** 3) / 100;
  const baseTotal = SLOT_LINES.reduce((sum, [line, weight]) => sum + counts[line] * weight, 0);
  const table = {};
  for (const [line, weight] of SLOT_LINES.slice(1)) table[line] = Math.floor((weight * target) / baseTotal);
  table.three_7 = target - SLOT_LINES.slice(1).reduce((sum, [line]) => sum + counts[line] * table[line], 0);
  return table;
}

const LIMBO_N = 100_000_000;

export const GAME_RULES = {
  dice: {
    checkParams(params, rtp) {
      const keys = Object.keys(params ?? {});
      const t = params?.target;
      return keys.length === 1 && isInt(t) && t >= 100 && t <= rtp - 1;
    },
    async resolve(draws, stake, params, rtp) {
      const roll = await draws.below(10000);
      const win = roll < params.target;
      return { outcome: { roll, win }, payout: win ? floorDiv(BigInt(stake) * BigInt(rtp), params.target) : 0 };
    },
  },
  slots: {
    checkParams(params) {
      return params !== null && typeof params === "object" && !Array.isArray(params) && Object.keys(params).length === 0;
    },
    async resolve(draws, stake, params, rtp) {
      const stops = [await draws.below(20), await draws.below(20), await draws.below(20)];
      const reels = stops.map((s) => STRIP[s]);
      const line = slotLine(reels);
      const multiplier = line ? slotPaytable(rtp)[line] : 0;
      return {
        outcome: { stops, reels, line, multiplier_x100: multiplier, win: multiplier > 0 },
        payout: floorDiv(BigInt(stake) * BigInt(multiplier), 100),
      };
    },
  },
  limbo: {
    checkParams(params) {
      const keys = Object.keys(params ?? {});
      const m = params?.target_multiplier_x100;
      return keys.length === 1 && isInt(m) && m >= 101 && m <= 1_000_000;
    },
    async resolve(draws, stake, params, rtp) {
      const u = await draws.below(LIMBO_N);
      const result = Math.max(100, floorDiv(BigInt(rtp) * BigInt(LIMBO_N), BigInt(u + 1) * 100n));
      const m = params.target_multiplier_x100;
      const win = result >= m;
      return { outcome: { result_x100: result, win }, payout: win ? floorDiv(BigInt(stake) * BigInt(m), 100) : 0 };
    },
  },
};

// ------------------------------------------------------------------ the verifier

export class VerifyInputError extends Error {
  constructor(reason, detail = "") {
    super(detail || reason);
    this.reason = reason; // an i18n key under "verify.error."
    this.detail = detail;
  }
}

/** The rounds (and a revealed seed, when the file carries one) from what the player pasted:
 *  `{"rounds": [...]}` as GET /v1/sessions/{id}/rounds answers, a bare list, or
 *  `{"revealed_server_seed": ..., "rounds": [...]}`. */
export function parseRoundsInput(text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new VerifyInputError("json", error.message);
  }
  const rounds = Array.isArray(data) ? data : data?.rounds;
  if (!Array.isArray(rounds)) throw new VerifyInputError("shape");
  if (rounds.some((r) => r === null || typeof r !== "object" || Array.isArray(r))) throw new VerifyInputError("shape");
  return {
    rounds,
    seed: typeof data?.revealed_server_seed === "string" ? data.revealed_server_seed : null,
    pending: Array.isArray(data?.pending_rounds) ? data.pending_rounds.length : 0,
  };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
function canonical(outcome) {
  // Compare field by field in a fixed order, whatever order the server wrote them in.
  if (!outcome || typeof outcome !== "object") return outcome;
  return Object.fromEntries(Object.keys(outcome).sort().map((k) => [k, outcome[k]]));
}

/** Recompute every round under `seed`. Throws VerifyInputError when nothing can be checked
 *  (a malformed seed, no round, no round under this seed, only rounds of another game); else
 *  returns {seedHash, verified, byGame, otherSeed, mismatches}. `game` restricts the check to
 *  one game: rounds of any other game are then an error, not silently skipped. */
export async function verifyRounds(seed, rounds, { game = null, skipOtherSeeds = true } = {}) {
  const trimmed = String(seed ?? "").trim();
  if (!SEED_PATTERN.test(trimmed)) throw new VerifyInputError("seed_format");
  if (!rounds.length) throw new VerifyInputError("no_rounds");
  const seedHash = await sha256Hex(trimmed);
  const key = await hmacKey(trimmed);
  const mine = rounds.filter((r) => r.server_seed_hash === seedHash);
  const otherSeed = rounds.length - mine.length;
  if (!mine.length) throw new VerifyInputError("wrong_seed", seedHash);
  if (game) {
    const others = [...new Set(mine.map((r) => r.game_id ?? "?").filter((g) => g !== game))];
    if (others.length) throw new VerifyInputError("other_game", others.join(", "));
  }
  const mismatches = [];
  const byGame = {};
  const seen = new Set();
  for (const r of mine) {
    const where = { nonce: r.nonce, round_id: r.round_id ?? null, game_id: r.game_id ?? null };
    const rules = GAME_RULES[r.game_id];
    if (!rules) {
      mismatches.push({ ...where, field: "game_id", expected: Object.keys(GAME_RULES).join("|"), recorded: r.game_id });
      continue;
    }
    if (!isInt(r.nonce) || r.nonce < 0 || seen.has(r.nonce)) {
      mismatches.push({ ...where, field: "nonce", expected: "a nonce used once", recorded: r.nonce });
      continue;
    }
    seen.add(r.nonce);
    if (!isInt(r.rtp_bps) || !isInt(r.stake) || r.stake < 1 || typeof r.client_seed !== "string") {
      mismatches.push({ ...where, field: "round", expected: "rtp_bps, stake, client_seed", recorded: null });
      continue;
    }
    if (!rules.checkParams(r.params, r.rtp_bps)) {
      mismatches.push({ ...where, field: "params", expected: "valid params", recorded: r.params });
      continue;
    }
    const { outcome, payout } = await rules.resolve(new RoundDraws(key, r.client_seed, r.nonce), r.stake, r.params, r.rtp_bps);
    if (!same(canonical(outcome), canonical(r.outcome))) {
      mismatches.push({ ...where, field: "outcome", expected: outcome, recorded: r.outcome });
    } else if (payout !== r.payout) {
      mismatches.push({ ...where, field: "payout", expected: payout, recorded: r.payout });
    }
    byGame[r.game_id] = (byGame[r.game_id] ?? 0) + 1;
  }
  if (!skipOtherSeeds && otherSeed) {
    mismatches.push({ nonce: null, round_id: null, game_id: null, field: "server_seed_hash", expected: seedHash, recorded: `${otherSeed}` });
  }
  return { seedHash, verified: mine.length, byGame, otherSeed, mismatches };
}
