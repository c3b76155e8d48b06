// Copies Swagger UI's assets from the npm package swagger-ui-dist (a pinned dependency, audited by
// `npm audit --omit=dev`) into public/swagger-ui/, where the platform serves them for /docs:
// Cloudflare's static assets on the edge (wrangler.toml `[build]` runs this before a deploy),
// the local gateway here. The copy is not committed (.gitignore).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const source = path.dirname(require.resolve("swagger-ui-dist/package.json"));
const target = path.join(root, "public", "swagger-ui");
const FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"];

mkdirSync(target, { recursive: true });
for (const file of FILES) copyFileSync(path.join(source, file), path.join(target, file));
const { version } = JSON.parse(readFileSync(path.join(source, "package.json"), "utf8"));
writeFileSync(path.join(target, "VERSION"), `${version}\n`);
console.log(`swagger-ui-dist ${version} copied to public/swagger-ui/`);
