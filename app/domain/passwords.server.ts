import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { DEMO_STAFF_PASSWORD } from "../../db/seed/demo-people";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../utils/staff-policy";
import { COMMON_PASSWORDS } from "./common-passwords";

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH };

/**
 * Staff passwords, hashed with scrypt (N=2^15). Stored as
 * "scrypt$N$r$p$salt$hash" so the cost can rise later without a migration.
 */
const N = 32768;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return ["scrypt", N, R, P, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const key = await derive(
    password,
    Buffer.from(salt, "base64url"),
    Number(n),
    Number(r),
    Number(p),
  );
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * The password policy of NIST SP 800-63B (5.1.1.2): at least 12 characters,
 * any characters (spaces and Japanese too, compared after NFKC), no
 * composition rules, and refused when it is a common password, the demo
 * password, a word of this site, or one of these with digits or symbols
 * around it, a repetition, or a run such as 123456789012.
 * Returns the Japanese reason, or undefined when the password is acceptable.
 */
/** Every password the demo data has ever used: refused as a password, and blocking a production start. */
export const DEMO_PASSWORDS = [DEMO_STAFF_PASSWORD];

/** The site's own words: guessed first by anyone attacking this site. */
const SITE_WORDS = [
  "jichiken",
  "jichiro",
  "jichirou",
  "jichiroh",
  "jichiken-demo",
  "jichikendemo",
  "jichiken-event",
  "jichikenevent",
  "fukushima",
  "kenhonbu",
  "honbu",
  "tankumi",
  "kumiai",
  "自治研",
  "自治労",
  "自治研イベント",
  "福島",
  "福島県",
  "県本部",
  "本部",
  "単組",
  "組合",
  "組合員",
];

let blocklist: Set<string> | undefined;
function commonPasswords(): Set<string> {
  blocklist ??= new Set([
    ...COMMON_PASSWORDS.split("\n").filter(Boolean),
    ...DEMO_PASSWORDS.map((p) => p.toLowerCase()),
    ...SITE_WORDS,
  ]);
  return blocklist;
}

/** A run of one step (aaaa, 1234, 9876, abcd), counting 9 → 0 as a step. */
function isRun(s: string): boolean {
  const codes = [...s].map((c) => c.codePointAt(0) ?? 0);
  if (codes.length < 2) return true;
  const step = (a: number, b: number) =>
    a === 57 && b === 48 ? 1 : a === 48 && b === 57 ? -1 : b - a;
  const first = step(codes[0]!, codes[1]!);
  if (Math.abs(first) > 1) return false;
  return codes.every((c, i) => i === 0 || step(codes[i - 1]!, c) === first);
}

/** The shortest unit the string repeats ("abcabcabc" → "abc"). */
function repeatedUnit(s: string): string {
  for (let n = 1; n <= s.length / 2; n++) {
    if (s.length % n === 0 && s.slice(0, n).repeat(s.length / n) === s) return s.slice(0, n);
  }
  return s;
}

export function passwordProblem(
  password: string,
  context: { email?: string; name?: string } = {},
): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH)
    return `パスワードは${PASSWORD_MIN_LENGTH}文字以上にしてください(記号や数字を混ぜる必要はありません。長い文やフレーズがおすすめです)`;
  if (length > PASSWORD_MAX_LENGTH)
    return `パスワードは${PASSWORD_MAX_LENGTH}文字以内にしてください`;
  const normal = password.normalize("NFKC").toLowerCase();
  const compact = normal.replace(/\s+/gu, "");
  // the word without the digits and symbols people put around it
  const core = compact.replace(/^[\p{N}\p{P}\p{S}]+|[\p{N}\p{P}\p{S}]+$/gu, "");
  const list = commonPasswords();
  const common =
    "よく使われているパスワードや推測されやすい語句のため使えません。別のパスワードにしてください";
  for (const candidate of [normal, compact, core, repeatedUnit(compact), repeatedUnit(core)]) {
    if (candidate.length === 0 || list.has(candidate)) return common;
  }
  if (isRun(repeatedUnit(compact)) || [...repeatedUnit(compact)].length <= 3) return common;
  if (SITE_WORDS.some((w) => core === w || (w.length >= 4 && core.replace(w, "").length < 4)))
    return common;
  const local = context.email?.split("@")[0]?.toLowerCase();
  if (local && local.length >= 4 && compact.includes(local))
    return "メールアドレスを含むパスワードは使えません。別のパスワードにしてください";
  const name = context.name?.normalize("NFKC").toLowerCase().replace(/\s+/gu, "");
  if (name && [...name].length >= 2 && core === name)
    return "お名前だけのパスワードは使えません。別のパスワードにしてください";
  return undefined;
}
