import { describe, expect, it } from "vitest";
import { z } from "zod";
import { profileSchema } from "../../app/domain/people.server";
import { emailField, parseForm, phoneField } from "../../app/utils/forms";
import {
  HIRAGANA_CHARS,
  KATAKANA_CHARS,
  normaliseDigits,
  normaliseKana,
  searchKey,
} from "../../app/utils/japanese";

function form(values: Record<string, string>) {
  const data = new FormData();
  for (const [k, v] of Object.entries(values)) data.set(k, v);
  return data;
}

const profile = {
  family_name: "阿久津",
  given_name: "花子",
  family_name_kana: "アクツ",
  given_name_kana: "ハナコ",
  organisation_id: "1",
  workplace: "福島市役所",
  phone: "090-1234-5678",
};

describe("Japanese input is normalised, not refused", () => {
  it("a phone number typed with full-width digits and any dash is stored as ASCII", () => {
    expect(normaliseDigits("０９０ー１２３４ー５６７８")).toBe("090-1234-5678");
    expect(normaliseDigits("０９０－１２３４－５６７８")).toBe("090-1234-5678");
    expect(normaliseDigits("090−1234‐5678")).toBe("090-1234-5678");
    expect(normaliseDigits("（024）５２１ ２２２２")).toBe("(024)5212222");
    for (const typed of [
      "０９０ー１２３４ー５６７８",
      "０９０－１２３４－５６７８",
      "09012345678",
    ]) {
      const parsed = phoneField().safeParse(typed);
      expect(parsed.success, typed).toBe(true);
    }
    expect(phoneField().parse("０９０ー１２３４ー５６７８")).toBe("090-1234-5678");
  });

  it("a phone number that is no number is still refused, naming the field", () => {
    const parsed = phoneField().safeParse("でんわ");
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain("電話番号");
    expect(phoneField().safeParse("090-12").success).toBe(false);
  });

  it("hiragana and half-width katakana in セイ/メイ become full-width katakana", () => {
    expect(normaliseKana("あくつ")).toBe("アクツ");
    expect(normaliseKana("ｱｸﾂ")).toBe("アクツ");
    expect(normaliseKana("ｶﾞｯｺｳ")).toBe("ガッコウ");
    expect(normaliseKana("　さとう　")).toBe("サトウ");
    const parsed = parseForm(
      profileSchema,
      form({
        ...profile,
        family_name_kana: "あくつ",
        given_name_kana: "ﾊﾅｺ",
        phone: "０９０ー１２３４ー５６７８",
      }),
    );
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.data.family_name_kana).toBe("アクツ");
      expect(parsed.data.given_name_kana).toBe("ハナコ");
      expect(parsed.data.phone).toBe("090-1234-5678");
    }
  });

  it("kanji in セイ is refused with a message that says カタカナ", () => {
    const parsed = parseForm(profileSchema, form({ ...profile, family_name_kana: "阿久津" }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.family_name_kana).toContain("カタカナ");
  });

  it("full-width ASCII in an email address becomes ASCII", () => {
    expect(emailField().parse("ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ")).toBe("hanako@example.jp");
    expect(emailField().safeParse("はなこ").success).toBe(false);
  });

  it("a search matches hiragana and katakana alike", () => {
    expect(searchKey("あくつ")).toBe(searchKey("アクツ"));
    expect(searchKey("ｱｸﾂ")).toBe(searchKey("アクツ"));
    expect(searchKey("アクツ ハナコ")).toBe("アクツハナコ");
    // the SQL side's translate() tables: the hiragana block, one for one with its katakana
    expect([...HIRAGANA_CHARS]).toHaveLength(86);
    expect(HIRAGANA_CHARS.slice(0, 2) + HIRAGANA_CHARS.slice(-1)).toBe("ぁあゖ");
    expect(KATAKANA_CHARS.slice(0, 2) + KATAKANA_CHARS.slice(-1)).toBe("ァアヶ");
  });
});

describe("a refused form echoes no more than a field takes", () => {
  it("an email field (normalised first) is cut to its 254 characters", () => {
    const parsed = parseForm(z.object({ email: emailField() }), form({ email: "b".repeat(300) }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.values.email).toHaveLength(254);
  });
});
