/** Demo members in three 単組, and the staff accounts, printed at start. */
export type DemoPerson = {
  email: string;
  familyName: string;
  givenName: string;
  familyNameKana: string;
  givenNameKana: string;
  union: string;
  workplace: string;
  phone: string;
  birthDate: string;
  role: "member" | "admin" | "organiser" | "secretary" | "reception";
  /** working groups (by number) the person is on the roster of */
  groups?: number[];
  /** a member whose 単組 has not confirmed them yet (the secretary's queue) */
  pending?: true;
};

export const DEMO_STAFF_PASSWORD = "jichiken-demo-2026";

export const demoPeople: DemoPerson[] = [
  {
    email: "hanako.sato@example.jp",
    familyName: "佐藤",
    givenName: "花子",
    familyNameKana: "サトウ",
    givenNameKana: "ハナコ",
    union: "fukushima-shi",
    workplace: "福島市役所 政策推進部",
    phone: "090-1111-2222",
    birthDate: "1996-04-12",
    role: "member",
    groups: [1],
  },
  {
    email: "ichiro.takahashi@example.jp",
    familyName: "髙橋",
    givenName: "一郎",
    familyNameKana: "タカハシ",
    givenNameKana: "イチロウ",
    union: "fukushima-shi",
    workplace: "福島市役所 危機管理室",
    phone: "090-2222-3333",
    birthDate: "1979-10-03",
    role: "member",
    groups: [2],
  },
  {
    email: "kenta.suzuki@example.jp",
    familyName: "鈴木",
    givenName: "健太",
    familyNameKana: "スズキ",
    givenNameKana: "ケンタ",
    union: "koriyama-shi",
    workplace: "郡山市役所 情報政策課",
    phone: "090-3333-4444",
    birthDate: "1993-07-21",
    role: "member",
    groups: [1],
  },
  {
    email: "misaki.watanabe@example.jp",
    familyName: "渡辺",
    givenName: "美咲",
    familyNameKana: "ワタナベ",
    givenNameKana: "ミサキ",
    union: "koriyama-shi",
    workplace: "郡山市役所 市民課",
    phone: "090-4444-5555",
    birthDate: "1988-01-30",
    role: "member",
    groups: [3],
  },
  {
    email: "sho.yamasaki@example.jp",
    familyName: "山﨑",
    givenName: "翔",
    familyNameKana: "ヤマサキ",
    givenNameKana: "ショウ",
    union: "aizuwakamatsu-shi",
    workplace: "会津若松市役所 スマートシティ推進室",
    phone: "090-5555-6666",
    birthDate: "1999-11-08",
    role: "member",
    groups: [1],
  },
  {
    email: "yumi.ito@example.jp",
    familyName: "伊藤",
    givenName: "由美",
    familyNameKana: "イトウ",
    givenNameKana: "ユミ",
    union: "aizuwakamatsu-shi",
    workplace: "会津若松市役所 復興推進課",
    phone: "090-6666-7777",
    birthDate: "1974-05-15",
    role: "member",
    groups: [3],
  },
  {
    email: "sakura.arai@example.jp",
    familyName: "新井",
    givenName: "さくら",
    familyNameKana: "アライ",
    givenNameKana: "サクラ",
    union: "fukushima-shi",
    workplace: "福島市役所 こども未来部",
    phone: "090-7777-8888",
    birthDate: "2000-02-14",
    role: "member",
    pending: true,
  },
  {
    email: "admin@example.jp",
    familyName: "県本部",
    givenName: "管理者",
    familyNameKana: "ケンホンブ",
    givenNameKana: "カンリシャ",
    union: "fukushima",
    workplace: "自治労福島県本部",
    phone: "024-523-4324",
    birthDate: "1970-01-01",
    role: "admin",
  },
  {
    email: "organiser@example.jp",
    familyName: "阿部",
    givenName: "誠",
    familyNameKana: "アベ",
    givenNameKana: "マコト",
    union: "fukushima",
    workplace: "自治労福島県本部 政策局",
    phone: "024-523-4324",
    birthDate: "1980-06-01",
    role: "organiser",
  },
  {
    email: "secretary@example.jp",
    familyName: "遠藤",
    givenName: "直子",
    familyNameKana: "エンドウ",
    givenNameKana: "ナオコ",
    union: "fukushima-shi",
    workplace: "福島市職員労働組合 書記局",
    phone: "024-535-1111",
    birthDate: "1985-09-09",
    role: "secretary",
  },
  {
    email: "reception@example.jp",
    familyName: "受付",
    givenName: "担当",
    familyNameKana: "ウケツケ",
    givenNameKana: "タントウ",
    union: "fukushima",
    workplace: "自治労福島県本部",
    phone: "024-523-4324",
    birthDate: "1990-03-03",
    role: "reception",
  },
];

/**
 * The addresses each 単組 vouches for (its roster): a sign-up with one of them
 * is confirmed at once. The pending demo person is not on it.
 */
export const demoRosters: Record<string, { email: string; name: string }[]> = {
  "fukushima-shi": [
    { email: "hanako.sato@example.jp", name: "佐藤 花子" },
    { email: "ichiro.takahashi@example.jp", name: "髙橋 一郎" },
    { email: "jiro.kato@example.jp", name: "加藤 次郎" },
  ],
};

/** Mail domains whose every address belongs to a 単組 (a city hall's, say). */
export const demoMailDomains: Record<string, string[]> = {
  "koriyama-shi": ["city.koriyama.example.jp"],
};
