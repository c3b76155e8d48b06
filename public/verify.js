// The fairness derivation of API.md, independently in the browser (Web Crypto + BigInt).
const encoder = new TextEncoder();
const hex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function seedHash(seed) {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(seed)));
}

export async function draw(seed, clientSeed, nonce, k, cursor = 0) {
  const key = await crypto.subtle.importKey("raw", encoder.encode(seed), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const K = BigInt(k);
  const limit = ((2n ** 64n) / K) * K;
  for (let c = cursor; ; c++) {
    const digest = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`${clientSeed}:${nonce}:${c}`)));
    const u = new DataView(digest.buffer).getBigUint64(0, false);
    if (u < limit) return { value: Number(u % K), next: c + 1 };
  }
}

export async function verifyDice(seed, rounds) {
  const problems = [];
  const hash = await seedHash(seed);
  for (const r of rounds) {
    if (r.server_seed_hash !== hash) continue; // another seed of the session
    const { value: roll } = await draw(seed, r.client_seed, r.nonce, 10000);
    const win = roll < r.params.target;
    const payout = win ? Number((BigInt(r.stake) * BigInt(r.rtp_bps)) / BigInt(r.params.target)) : 0;
    if (roll !== r.outcome.roll || win !== r.outcome.win || payout !== r.payout) {
      problems.push(`nonce ${r.nonce}: expected roll ${roll}, payout ${payout}; got roll ${r.outcome.roll}, payout ${r.payout}`);
    }
  }
  return problems;
}

const form = document.getElementById("verify-form");
form?.addEventListener("submit", async (e) => {
  e.preventDefault();
  const data = new FormData(form);
  const seed = data.get("seed").trim();
  let rounds = JSON.parse(data.get("rounds"));
  if (!Array.isArray(rounds)) rounds = rounds.rounds;
  const hash = await seedHash(seed);
  const mine = rounds.filter((r) => r.server_seed_hash === hash && (r.game_id ?? "dice") === "dice");
  const problems = await verifyDice(seed, mine);
  document.getElementById("report").textContent = problems.length
    ? `MISMATCH\n${problems.join("\n")}`
    : `OK: ${mine.length} dice rounds under seed hash ${hash} recomputed exactly.`;
});
