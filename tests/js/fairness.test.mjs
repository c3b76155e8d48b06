// The in-browser verifier against the known-answer vectors of docs/fairness.md, and its honesty:
// a wrong seed, broken JSON or another game's rounds are errors, never "OK: 0 rounds".
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  RoundDraws, VerifyInputError, hmacKey, parseRoundsInput, sha256Hex, slotPaytable, verifyRounds,
} from "../../public/js/fairness.js";
import { isValidCpf, formatCpf } from "../../public/js/cpf.js";
import { sniffType } from "../../public/js/documents.js";

const ZEROS = "0".repeat(64);
const BYTES = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, "0")).join("");

const round = (over) => ({
  round_id: `r${over.nonce}`, server_seed_hash: "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55",
  client_seed: "client", rtp_bps: 9700, stake: 1000, ...over,
});

async function reasonOf(promise) {
  try { await promise; } catch (error) { assert.ok(error instanceof VerifyInputError, error); return error.reason; }
  assert.fail("no error");
}

test("seed commitments match the published vectors", async () => {
  assert.equal(await sha256Hex(ZEROS), "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55");
  assert.equal(await sha256Hex(BYTES), "6c86c6aac5fb24bcf5d9939cb7d7d5645ce39418f449e03b262dd4fa14b4b92b");
});

test("draws match the published vectors, rejection included", async () => {
  const rolls = async (seed, client, nonce) => new RoundDraws(await hmacKey(seed), client, nonce).below(10000);
  assert.equal(await rolls(ZEROS, "client", 0), 3679);
  assert.equal(await rolls(ZEROS, "client", 1), 8551);
  assert.equal(await rolls(ZEROS, "my lucky seed", 42), 6365);
  assert.equal(await rolls(BYTES, "my lucky seed", 42), 640);
  const draws = new RoundDraws(await hmacKey(ZEROS), "client", 0);
  assert.equal(await draws.below(2n ** 63n + 1n), 7433783550121036702);
  assert.equal(draws.cursor, 2);
});

test("the slot paytable is the published one", () => {
  assert.deepEqual(slotPaytable(9600), {
    three_bar: 5016, three_bell: 2090, three_cherry: 1003, three_lemon: 418, two_cherries: 167, three_7: 42184,
  });
  assert.equal(slotPaytable(8000).three_7, 35477);
});

const VECTORS = [
  round({ nonce: 0, game_id: "dice", params: { target: 5000 }, outcome: { roll: 3679, win: true }, payout: 1940 }),
  round({ nonce: 1, game_id: "dice", params: { target: 5000 }, outcome: { roll: 8551, win: false }, payout: 0 }),
  round({ nonce: 61, game_id: "slots", rtp_bps: 9600, params: {}, payout: 50160,
    outcome: { stops: [2, 3, 3], reels: ["BAR", "BAR", "BAR"], line: "three_bar", multiplier_x100: 5016, win: true } }),
  round({ nonce: 60, game_id: "slots", rtp_bps: 9600, params: {}, payout: 0, outcome: null }),
  round({ nonce: 2, game_id: "limbo", params: { target_multiplier_x100: 200 }, outcome: { win: true, result_x100: 2839 }, payout: 2000 }),
];

test("every game's rounds are recomputed: dice, slots and limbo", async () => {
  const rounds = VECTORS.filter((r) => r.nonce !== 60);
  const report = await verifyRounds(ZEROS, rounds);
  assert.deepEqual(report.mismatches, []);
  assert.equal(report.verified, 4);
  assert.deepEqual(report.byGame, { dice: 2, slots: 1, limbo: 1 });
});

test("a changed outcome or payout is a mismatch", async () => {
  const tampered = [{ ...VECTORS[0], payout: 1941 }, { ...VECTORS[1], outcome: { roll: 100, win: true } }, VECTORS[3]];
  const report = await verifyRounds(ZEROS, tampered);
  assert.deepEqual(report.mismatches.map((m) => [m.nonce, m.field]), [[0, "payout"], [1, "outcome"], [60, "outcome"]]);
});

test("params the game refuses and a nonce used twice are mismatches", async () => {
  const report = await verifyRounds(ZEROS, [
    { ...VECTORS[0], params: { target: 9700 } }, VECTORS[1], { ...VECTORS[1], round_id: "again" },
  ]);
  assert.deepEqual(report.mismatches.map((m) => m.field), ["params", "nonce"]);
});

test("a wrong seed says so instead of reporting zero rounds", async () => {
  assert.equal(await reasonOf(verifyRounds(BYTES, VECTORS)), "wrong_seed");
  assert.equal(await reasonOf(verifyRounds("xyz", VECTORS)), "seed_format");
  assert.equal(await reasonOf(verifyRounds(ZEROS, [])), "no_rounds");
});

test("rounds of another game say so when one game is checked", async () => {
  assert.equal(await reasonOf(verifyRounds(ZEROS, VECTORS, { game: "dice" })), "other_game");
});

test("broken JSON and a list of something else are input errors", () => {
  assert.throws(() => parseRoundsInput("{not json"), (e) => e.reason === "json");
  assert.throws(() => parseRoundsInput('{"games": []}'), (e) => e.reason === "shape");
  assert.throws(() => parseRoundsInput("[1, 2]"), (e) => e.reason === "shape");
  const parsed = parseRoundsInput(JSON.stringify({ revealed_server_seed: ZEROS, rounds: VECTORS, pending_rounds: [{}] }));
  assert.equal(parsed.seed, ZEROS);
  assert.equal(parsed.rounds.length, 5);
  assert.equal(parsed.pending, 1);
});

test("CPF check digits and typing format", () => {
  assert.ok(isValidCpf("529.982.247-25"));
  assert.ok(!isValidCpf("529.982.247-26"));
  assert.ok(!isValidCpf("111.111.111-11"));
  assert.equal(formatCpf("52998224725"), "529.982.247-25");
  assert.equal(formatCpf("5299"), "529.9");
});

test("documents are recognised by their first bytes", () => {
  assert.equal(sniffType(new TextEncoder().encode("%PDF-1.4")), "application/pdf");
  assert.equal(sniffType(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0])), "image/jpeg");
  assert.equal(sniffType(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), "image/png");
  assert.equal(sniffType(new TextEncoder().encode("GIF89a")), null);
});

import { parseExclusionCsv } from "../../public/js/exclusion-list.js";

test("the exclusion list preview counts valid CPFs and refuses what the server refuses", () => {
  const good = "cpf\n529.982.247-25\n52998224725\n111.444.777-35\n";
  assert.deepEqual(parseExclusionCsv(good), { entries: 2, invalid_rows: 0, rows: 3, refusal: null });
  assert.equal(parseExclusionCsv("nome;cpf\nAna;529.982.247-25\nBia;123\n").refusal, "too_many_invalid");
  assert.equal(parseExclusionCsv("").refusal, "empty");
  assert.equal(parseExclusionCsv("not,a,list\nfoo,bar\n").refusal, "empty");
});
