import { createHash } from "node:crypto";
import { sha256Hex } from "../../app/checkin/roster";

/**
 * The desk matches a scanned ticket to its roster by SHA-256 hex, which the
 * server computes with node:crypto. The desk's hash came from a hand-written
 * SHA-256 until @noble/hashes replaced it (docs/decisions/022); these are the
 * hand-written function's answers, taken before it went, so any change shows.
 */
const BEFORE: [string, string][] = [
  ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  ["K7MX-3QPA-W9", "971915ff24383cd14a3b344c22e03c17f743428e4d155814bf22eda98cb3daca"],
  ["緑川 太郎", "2ef3354c7d36012b1724538fba492f9754577eb792fd1eea403991fec7a777aa"],
  ["a".repeat(55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"],
  ["a".repeat(56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"],
  ["a".repeat(64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"],
  ["x".repeat(1000), "44f8354494a5ba03ba1792a8d3e9c534c47a9181980fde7a3f44b06ef2ae7c7f"],
  [
    "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde",
    "66d27e314791655cbe60778c7fed321adb0361c32020049d17bcfd25e5934922",
  ],
];

describe("the desk's ticket hash", () => {
  it.each(BEFORE)("gives what the hand-written SHA-256 gave for %j", (input, hex) => {
    expect(sha256Hex(input)).toBe(hex);
  });

  it("agrees with the server's node:crypto on ticket-shaped and random inputs", () => {
    for (let i = 0; i < 200; i++) {
      const value = createHash("sha256").update(String(i)).digest("base64url").slice(0, 43);
      const withKana = `${value}受付${i}`.slice(0, i % 70);
      for (const v of [value, withKana]) {
        expect(sha256Hex(v)).toBe(createHash("sha256").update(v, "utf8").digest("hex"));
      }
    }
  });
});
