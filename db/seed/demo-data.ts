/**
 * Demo data for the event-registration app.
 *
 * Source of truth: 自治労福島県本部「自治研(地方自治研究)の取り組み」ページ
 * (/work/shared/seed/000_1d7c28b431578372.txt, 2023年11月15日更新分).
 * Titles, dates, times, venues, speakers, facilitators, advisers and notes of past
 * events and of the working-group meetings are taken from that page. Where the page
 * is silent (capacities, end times, registration windows, the 分科会 of the national
 * conventions other than 第8分科会, fieldwork teams, questions), the values are
 * plausible stand-ins for demo purposes.
 *
 * All times are Asia/Tokyo and written as ISO 8601 strings with +09:00.
 */
import type {
  SeedCourse,
  SeedEvent,
  SeedMeeting,
  SeedOrganisation,
  SeedQuestion,
  SeedVenue,
  SeedWorkingGroup,
} from "./types";

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

function checkTime(time: string): string {
  if (!HHMM.test(time)) throw new Error(`demo-data: bad time "${time}" (want HH:MM)`);
  return time;
}

/** A fixed Tokyo time: jst("2023-08-18", "18:00") → "2023-08-18T18:00:00+09:00". */
function jst(date: string, time: string): string {
  return `${date}T${checkTime(time)}:00+09:00`;
}

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** The Tokyo calendar date `offset` days after the Tokyo date of `today`, as YYYY-MM-DD. */
function tokyoDate(today: Date, offset: number): string {
  const shifted = new Date(today.getTime() + JST_OFFSET_MS);
  const day = Date.UTC(
    shifted.getUTCFullYear(),
    shifted.getUTCMonth(),
    shifted.getUTCDate() + offset,
  );
  return new Date(day).toISOString().slice(0, 10);
}

/** A Tokyo time `offset` days after today: at(today, 30, "18:00"). */
function at(today: Date, offset: number, time: string): string {
  return jst(tokyoDate(today, offset), time);
}

/** Day of week (0 = Sunday) of the Tokyo date `offset` days after today. */
function tokyoWeekday(today: Date, offset: number): number {
  return new Date(`${tokyoDate(today, offset)}T00:00:00Z`).getUTCDay();
}

/** The smallest offset ≥ `approx` that falls on a Friday in Tokyo (union events start on Fridays). */
function fridayFrom(today: Date, approx: number): number {
  const weekday = tokyoWeekday(today, approx);
  return approx + ((5 - weekday + 7) % 7);
}

function mapUrl(query: string): string {
  return `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(query)}`;
}

// ---------------------------------------------------------------------------
// organisations
// ---------------------------------------------------------------------------

export const organisations: SeedOrganisation[] = [
  {
    code: "honbu",
    kind: "national_hq",
    name: "自治労本部",
    nameKana: "ジチロウホンブ",
  },
  {
    code: "fukushima",
    kind: "prefectural_hq",
    name: "自治労福島県本部",
    nameKana: "ジチロウフクシマケンホンブ",
    parent: "honbu",
  },
  {
    code: "fukushima-shi",
    kind: "local_union",
    name: "福島市職員労働組合",
    nameKana: "フクシマシショクインロウドウクミアイ",
    parent: "fukushima",
  },
  {
    code: "koriyama-shi",
    kind: "local_union",
    name: "郡山市職員労働組合",
    nameKana: "コオリヤマシショクインロウドウクミアイ",
    parent: "fukushima",
  },
  {
    code: "aizuwakamatsu-shi",
    kind: "local_union",
    name: "会津若松市職員労働組合",
    nameKana: "アイヅワカマツシショクインロウドウクミアイ",
    parent: "fukushima",
  },
];

// ---------------------------------------------------------------------------
// venues
// ---------------------------------------------------------------------------

function venue(v: Omit<SeedVenue, "mapUrl">, mapQuery?: string): SeedVenue {
  return { ...v, mapUrl: mapUrl(mapQuery ?? v.address ?? v.name) };
}

export const venues: SeedVenue[] = [
  // --- 福島県本部 -----------------------------------------------------------
  venue({
    key: "jichiken-room",
    name: "県本部自治研室(協働会館4階)",
    postalCode: "960-8042",
    address: "福島県福島市荒町1-21 協働会館4階",
    phone: "024-523-4324",
  }),
  venue({
    key: "hananoyu",
    name: "ホテル華の湯",
    address: "福島県郡山市熱海町熱海5丁目8-60",
    phone: "024-984-2222",
  }),
  venue({
    key: "juraku",
    name: "ホテル聚楽",
    address: "福島県福島市飯坂町西滝ノ町16",
  }),
  venue({
    key: "green-palace",
    name: "ホテル福島グリーンパレス",
    address: "福島県福島市太田町13-53",
    phone: "024-533-1171",
  }),
  venue({
    key: "terusa",
    name: "キョウワグループ・テルサホール(福島テルサ)",
    address: "福島県福島市上町4-25",
  }),
  // street number not confirmed: the map link searches by name
  venue(
    { key: "seishonen-kaikan", name: "福島県青少年会館", address: "福島県福島市" },
    "福島県青少年会館 福島県福島市",
  ),
  venue(
    {
      key: "aict",
      name: "スマートシティAiCT交流棟",
      address: "福島県会津若松市東栄町",
    },
    "スマートシティAiCT 福島県会津若松市東栄町",
  ),
  venue({
    key: "michinoeki-kunimi",
    name: "道の駅 国見「あつかしの郷」",
    postalCode: "969-1761",
    address: "福島県伊達郡国見町大字藤田字日渡二18-1",
    phone: "024-585-2132",
  }),
  venue({
    key: "iitate-yakuba",
    name: "飯舘村役場",
    address: "福島県相馬郡飯舘村伊丹沢字伊丹沢580-1",
  }),
  venue(
    {
      key: "linkru-okuma",
      name: "大熊町交流施設「linkる大熊」",
      address: "福島県双葉郡大熊町大字大川原",
    },
    "linkる大熊 福島県双葉郡大熊町大字大川原",
  ),
  venue({
    key: "kitakata-plaza",
    name: "喜多方プラザ",
    address: "福島県喜多方市字押切二丁目1番地",
    phone: "0241-24-4611",
  }),

  // --- 第39回 静岡自治研 -------------------------------------------------------
  venue({
    key: "granship",
    name: "グランシップ(静岡県コンベンションアーツセンター)",
    address: "静岡県静岡市駿河区東静岡2-3-1",
  }),
  venue({
    key: "shizuoka-shimin-bunka-kaikan",
    name: "静岡市民文化会館",
    address: "静岡県静岡市葵区駿府町2-90",
  }),
  venue({
    key: "azarea",
    name: "静岡県男女共同参画センターあざれあ",
    address: "静岡県静岡市駿河区馬渕1-17-1",
  }),
  venue({
    key: "hotel-associa-shizuoka",
    name: "ホテルアソシア静岡",
    address: "静岡県静岡市葵区黒金町56",
  }),
  venue({
    key: "twin-messe-shizuoka",
    name: "ツインメッセ静岡",
    address: "静岡県静岡市駿河区曲金3-1-10",
  }),
  venue({
    key: "hotel-century-shizuoka",
    name: "ホテルセンチュリー静岡",
    address: "静岡県静岡市駿河区南町18-1",
  }),
  venue({
    key: "shizuoka-sangyo-keizai-kaikan",
    name: "静岡県産業経済会館",
    address: "静岡県静岡市葵区追手町44-1",
  }),
  venue({
    key: "marinart",
    name: "静岡市清水文化会館(マリナート)",
    address: "静岡県静岡市清水区島崎町214",
  }),

  // --- 第4回 UNDER35 -----------------------------------------------------------
  venue({
    key: "ino-hall",
    name: "いのホール(いの町役場内)",
    postalCode: "781-2192",
    address: "高知県吾川郡いの町1700-1",
  }),

  // --- 第40回 島根自治研 -------------------------------------------------------
  venue({
    key: "shimane-kenmin-kaikan",
    name: "島根県民会館",
    postalCode: "690-0887",
    address: "島根県松江市殿町158",
  }),
  venue({
    key: "kunibiki-messe",
    name: "くにびきメッセ(島根県立産業交流会館)",
    address: "島根県松江市学園南1-2-1",
  }),
  venue({
    key: "matsue-terrsa",
    name: "松江テルサ",
    address: "島根県松江市朝日町478-18",
  }),
  venue({
    key: "hotel-ichibata",
    name: "ホテル一畑",
    address: "島根県松江市千鳥町30",
  }),
];

// ---------------------------------------------------------------------------
// shared texts
// ---------------------------------------------------------------------------

const ONLINE_SEMINAR_TITLE = "オンラインセミナー「自治研って何?地域のためにできること」";
const ONLINE_SEMINAR_PLAN =
  "新たな自治研活動家の発掘や、親しみやすい自治研活動をめざし、標記オンラインセミナーを開催します。";
const GROUP_WORK_TEXT =
  "ZOOM:ブレイクアウトルーム機能を使用。参加者同士の意見交換によって、活動と意欲を後押しするような少人数のグループワークを行います。参加申し込みの際に、参加を希望されるコースを選択してください。";
const HASHIMOTO = "橋本和久さん(自治研中央推進委員)";
const MISAWA = "三澤和也さん(沼津市職員労働組合連合会/ProudNumazu研究会代表)";
const HONBU_NOTICE = "本部発文は県本部組合員専用ページへ掲載しています。";

const UNDER35_PLAN =
  "開催地である、いの町・日高村を舞台にフィールドワークを行い、そこで見つけた地域の課題に対してチームごとに解決策の提案をめざします。また、その発表を通じて共有化します。";
const UNDER35_PREVIOUS =
  "※前回(2022年)に青森県弘前市にて開催した際には、フィールドワークの発表で、開催地への意見・質問・改善案の提起などがあり、政策提言につながるような発表も生まれています。";

const KENSHUKAI_19_CORRECTION =
  "※2022年9月22日の自治研合同会議において提示した日程に誤りがありました。お詫びして訂正させていただきます。";

const jichikenExperience: SeedQuestion = {
  label: "自治研活動の経験",
  kind: "single",
  options: [
    "これまで取り組んだことはない",
    "単組・職場で取り組んだことがある",
    "専門部会などで継続して取り組んでいる",
  ],
  required: true,
};

const reportPresentation: SeedQuestion = {
  label: "レポート発表の有無",
  kind: "single",
  options: ["専門部会レポートを発表する", "単組レポートを発表する", "発表しない"],
  required: true,
};

const travelToHananoyu: SeedQuestion = {
  label: "会場までの交通手段",
  kind: "single",
  options: ["自家用車", "公共交通機関(郡山駅から送迎バス希望)", "単組で乗り合い"],
  required: false,
};

// ---------------------------------------------------------------------------
// past events
// ---------------------------------------------------------------------------

const ZOOM_SEMINAR_2023 = "https://zoom.us/j/83018182023?pwd=aml0aWtlbi1zZW1pbmFy";

const onlineSeminar2023: SeedEvent = {
  slug: "online-seminar-2023",
  kind: "online_seminar",
  title: ONLINE_SEMINAR_TITLE,
  summary: "自治研って何?講演と取り組み報告、コース別の少人数グループワーク(ZOOM)。",
  description: ONLINE_SEMINAR_PLAN,
  organiser: "honbu",
  startsAt: jst("2023-08-18", "18:00"),
  endsAt: jst("2023-08-18", "20:00"),
  online: { label: "オンライン(Zoom)", url: ZOOM_SEMINAR_2023 },
  membersOnly: true,
  capacity: 60,
  status: "closed",
  windows: [
    {
      label: "参加申込",
      opensAt: jst("2023-07-14", "09:00"),
      closesAt: jst("2023-08-09", "17:00"),
    },
  ],
  cancellationDeadline: jst("2023-08-16", "17:00"),
  sessions: [
    {
      key: "group-work",
      kind: "breakout",
      title: "グループワーク",
      startsAt: jst("2023-08-18", "19:00"),
      endsAt: jst("2023-08-18", "20:00"),
      onlineUrl: ZOOM_SEMINAR_2023,
      description: GROUP_WORK_TEXT,
      optional: false,
    },
  ],
  courses: [
    {
      key: "course-1",
      code: "コース①",
      title: "【初級編】レッツトライ!自治研活動",
      audience: "これから何かに取り組んでみたい方、どう始めたらいいかわからない方むけ",
      facilitator: "氷室佐由里 政策局長",
      adviser: "調整中",
      capacity: 30,
      session: "group-work",
      allocation: "first_come",
    },
    {
      key: "course-2",
      code: "コース②",
      title: "【中級編】よりよい地域をめざして",
      audience: "今取り組んでいる活動をステップアップしたい方むけ",
      facilitator: "橋本和久さん",
      adviser: "三澤和也さん",
      capacity: 30,
      session: "group-work",
      allocation: "first_come",
    },
  ],
  programme: [
    { startsAt: jst("2023-08-18", "18:00"), title: "開会" },
    {
      startsAt: jst("2023-08-18", "18:05"),
      endsAt: jst("2023-08-18", "18:35"),
      title: "講演「自治研とは?~組合が自治研活動に取り組む意義」",
      speaker: HASHIMOTO,
    },
    {
      startsAt: jst("2023-08-18", "18:35"),
      endsAt: jst("2023-08-18", "19:00"),
      title: "取り組み報告「沼津市におけるローカルマーケットの広がり」",
      speaker: MISAWA,
    },
    {
      startsAt: jst("2023-08-18", "19:00"),
      endsAt: jst("2023-08-18", "20:00"),
      title: "グループワーク(ZOOM:ブレイクアウトルーム機能を使用)",
      description: GROUP_WORK_TEXT,
      session: "group-work",
    },
    { startsAt: jst("2023-08-18", "20:00"), title: "閉会" },
  ],
  questions: [
    jichikenExperience,
    {
      label: "グループワークで話してみたいこと・聞いてみたいこと",
      kind: "text",
      required: false,
    },
  ],
  notes: `${HONBU_NOTICE}詳細は、県本部組合員専用ページにてご確認ください。`,
};

/** 分科会 of the 39th national convention; only 第8分科会 is named on the seed page. */
const zenkoku39Bunkakai: [string, string, string, number][] = [
  ["第1分科会", "人口減少社会と持続可能な地域づくり", "granship", 400],
  [
    "第2分科会",
    "南海トラフ地震に備える~防災・減災と事前復興",
    "shizuoka-sangyo-keizai-kaikan",
    250,
  ],
  ["第3分科会", "地域医療・介護と地域包括ケア", "hotel-associa-shizuoka", 250],
  ["第4分科会", "子ども・子育て支援と地域の学び", "azarea", 200],
  ["第5分科会", "脱炭素社会と地域エネルギー", "twin-messe-shizuoka", 200],
  [
    "第6分科会",
    "公共サービスと地方財政~「財政が厳しい」は本当か",
    "shizuoka-shimin-bunka-kaikan",
    300,
  ],
  ["第7分科会", "多文化共生・ジェンダー平等のまちづくり", "azarea", 150],
  ["第8分科会", "自治体DX最前線!", "granship", 400],
  ["第9分科会", "公共交通と地域の移動を守る", "hotel-century-shizuoka", 200],
  ["第10分科会", "みなとまち清水から考える観光と地域経済", "marinart", 250],
];

const zenkoku39: SeedEvent = {
  slug: "zenkoku-39-shizuoka",
  kind: "national_convention",
  title: "第39回地方自治研究全国集会(静岡自治研)",
  summary: "1日目はグランシップで全体集会、2日目は静岡市内の会場に分散して分科会。",
  description:
    "第1日目(10月7日)はグランシップ(静岡県コンベンションアーツセンター)で全体集会を、第2日目(10月8日)は静岡市内の会場に分散して分科会を開催します。分科会の会場一覧は本部発文(pdf)をご確認ください。",
  organiser: "honbu",
  startsAt: jst("2022-10-07", "10:00"),
  endsAt: jst("2022-10-08", "16:00"),
  venue: "granship",
  membersOnly: true,
  capacity: 2500,
  status: "closed",
  windows: [
    {
      label: "参加申込(県本部取りまとめ)",
      opensAt: jst("2022-07-01", "09:00"),
      closesAt: jst("2022-08-26", "17:00"),
    },
  ],
  cancellationDeadline: jst("2022-09-22", "17:00"),
  sessions: [
    {
      key: "day1-plenary",
      kind: "plenary",
      title: "第1日目 全体集会",
      startsAt: jst("2022-10-07", "10:00"),
      endsAt: jst("2022-10-07", "17:30"),
      venue: "granship",
      capacity: 2500,
      optional: false,
    },
    {
      key: "day1-reception",
      kind: "reception",
      title: "歓迎レセプション",
      startsAt: jst("2022-10-07", "18:00"),
      endsAt: jst("2022-10-07", "20:00"),
      venue: "granship",
      capacity: 800,
      optional: true,
    },
    {
      key: "day2-bunkakai",
      kind: "breakout",
      title: "第2日目 分科会",
      startsAt: jst("2022-10-08", "09:00"),
      endsAt: jst("2022-10-08", "16:00"),
      description: "静岡市内の会場に分散して開催します(本部発文(分科会の会場一覧)(pdf))。",
      optional: false,
    },
  ],
  courses: zenkoku39Bunkakai.map(
    ([code, title, venueKey, capacity], i): SeedCourse => ({
      key: `bunkakai-${i + 1}`,
      code,
      title,
      capacity,
      session: "day2-bunkakai",
      venue: venueKey,
      allocation: "first_come",
    }),
  ),
  programme: [
    {
      startsAt: jst("2022-10-07", "10:00"),
      title: "全体集会 開会・川本委員長挨拶",
      speaker: "自治労 川本委員長",
      session: "day1-plenary",
    },
    {
      startsAt: jst("2022-10-07", "10:00"),
      endsAt: jst("2022-10-07", "17:30"),
      title: "全体集会(基調報告・記念講演・シンポジウムほか)",
      description: "全体集会資料は「専門部会員専用ページ」(要PW)に掲載しています。",
      session: "day1-plenary",
    },
    {
      startsAt: jst("2022-10-07", "18:00"),
      endsAt: jst("2022-10-07", "20:00"),
      title: "歓迎レセプション",
      session: "day1-reception",
    },
    {
      startsAt: jst("2022-10-08", "09:00"),
      endsAt: jst("2022-10-08", "16:00"),
      title: "分科会(静岡市内の会場に分散)",
      session: "day2-bunkakai",
    },
  ],
  questions: [
    {
      label: "分科会でのレポート発表",
      kind: "single",
      options: ["発表する", "発表しない"],
      required: true,
    },
    {
      label: "宿泊の手配",
      kind: "single",
      options: ["県本部での一括手配を希望する", "各自で手配する", "宿泊しない"],
      required: true,
    },
  ],
  notes:
    "全体集会資料:集会1日目の全体集会資料を「専門部会員専用ページ」(要PW)に掲載しました。\n次回全国集会:第40回地方自治研究全国集会は、2024年10月「島根県」で開催予定です。",
};

const under35Teams: [string, string, string][] = [
  ["チームA", "紙のまち・いの~土佐和紙と地場産業の継承", "いの町中心部"],
  ["チームB", "仁淀川の清流を活かした観光・交流", "いの町"],
  ["チームC", "子育て世代の移住・定住と暮らし", "日高村"],
  ["チームD", "中山間地域の買い物・公共交通", "いの町・日高村"],
];

const under35_4: SeedEvent = {
  slug: "under35-4-ino",
  kind: "youth_gathering",
  title: "第4回自治研UNDER35全国集会(高知県いの町・日高村)",
  summary: "いの町・日高村でフィールドワーク。チームごとに地域課題の解決策を提案・発表。",
  description: `${UNDER35_PLAN}\n${UNDER35_PREVIOUS}`,
  organiser: "honbu",
  startsAt: jst("2023-09-22", "15:00"),
  endsAt: jst("2023-09-24", "15:00"),
  venue: "ino-hall",
  membersOnly: true,
  maxAge: 35,
  capacity: 60,
  status: "closed",
  windows: [
    {
      label: "参加申込",
      opensAt: jst("2023-06-26", "09:00"),
      closesAt: jst("2023-08-04", "17:00"),
    },
  ],
  cancellationDeadline: jst("2023-09-08", "17:00"),
  sessions: [
    {
      key: "day1-opening",
      kind: "plenary",
      title: "開会・オリエンテーション・チームづくり",
      startsAt: jst("2023-09-22", "15:00"),
      endsAt: jst("2023-09-22", "18:00"),
      venue: "ino-hall",
      optional: false,
    },
    {
      key: "day1-reception",
      kind: "reception",
      title: "交流会",
      startsAt: jst("2023-09-22", "18:30"),
      endsAt: jst("2023-09-22", "20:30"),
      capacity: 60,
      description: "会場は参加者へ別途ご案内します。",
      optional: true,
    },
    {
      key: "lodging-0922",
      kind: "lodging",
      title: "宿泊(9月22日泊)",
      startsAt: jst("2023-09-22", "21:00"),
      endsAt: jst("2023-09-23", "08:30"),
      description: "宿泊先は本部で手配します。",
      optional: true,
    },
    {
      key: "day2-fieldwork",
      kind: "fieldwork",
      title: "フィールドワーク(いの町・日高村)・チーム討議",
      startsAt: jst("2023-09-23", "09:00"),
      endsAt: jst("2023-09-23", "17:00"),
      description: "チームごとに現地を歩き、地域の課題を見つけ、解決策の提案をまとめます。",
      optional: false,
    },
    {
      key: "lodging-0923",
      kind: "lodging",
      title: "宿泊(9月23日泊)",
      startsAt: jst("2023-09-23", "21:00"),
      endsAt: jst("2023-09-24", "08:30"),
      description: "宿泊先は本部で手配します。",
      optional: true,
    },
    {
      key: "day3-presentation",
      kind: "plenary",
      title: "フィールドワーク発表・講評・閉会",
      startsAt: jst("2023-09-24", "09:00"),
      endsAt: jst("2023-09-24", "15:00"),
      venue: "ino-hall",
      optional: false,
    },
  ],
  courses: under35Teams.map(
    ([code, title, area], i): SeedCourse => ({
      key: `team-${String.fromCharCode(97 + i)}`,
      code,
      title,
      audience: `フィールド:${area}`,
      capacity: 15,
      session: "day2-fieldwork",
      allocation: "first_come",
    }),
  ),
  programme: [
    {
      startsAt: jst("2023-09-22", "15:00"),
      endsAt: jst("2023-09-22", "18:00"),
      title: "開会・オリエンテーション・チームづくり",
      session: "day1-opening",
    },
    {
      startsAt: jst("2023-09-22", "18:30"),
      endsAt: jst("2023-09-22", "20:30"),
      title: "交流会",
      session: "day1-reception",
    },
    {
      startsAt: jst("2023-09-23", "09:00"),
      endsAt: jst("2023-09-23", "17:00"),
      title: "フィールドワーク・チーム討議",
      description: UNDER35_PLAN,
      session: "day2-fieldwork",
    },
    {
      startsAt: jst("2023-09-24", "09:00"),
      endsAt: jst("2023-09-24", "14:30"),
      title: "フィールドワーク発表・講評",
      description: "チームごとに解決策を提案し、発表を通じて共有化します。",
      session: "day3-presentation",
    },
    {
      startsAt: jst("2023-09-24", "14:30"),
      endsAt: jst("2023-09-24", "15:00"),
      title: "閉会",
      session: "day3-presentation",
    },
  ],
  questions: [
    jichikenExperience,
    {
      label: "フィールドワークで関心のある分野",
      kind: "multiple",
      options: ["観光・交流", "伝統産業・地場産業", "子育て・移住定住", "公共交通・買い物", "防災"],
      required: false,
    },
  ],
  notes: HONBU_NOTICE,
};

/** 分科会 of the 19th prefectural convention: one per 専門部会, plus 単組レポート. */
const kenshukai19Bunkakai: SeedCourse[] = [
  {
    key: "bunkakai-1",
    code: "第1分科会",
    title: "地域創生~自治体DXと地域コミュニティ",
    audience: "第1専門部会レポート",
    facilitator: "第1専門部会",
    capacity: 40,
    session: "day1-bunkakai",
    venue: "hananoyu",
    allocation: "first_come",
  },
  {
    key: "bunkakai-2",
    code: "第2分科会",
    title: "大規模感染症や災害時の避難所運営",
    audience: "第2専門部会レポート",
    facilitator: "第2専門部会",
    capacity: 30,
    session: "day1-bunkakai",
    venue: "hananoyu",
    allocation: "first_come",
  },
  {
    key: "bunkakai-3",
    code: "第3分科会",
    title: "震災・原発事故からの復興とまちづくり",
    audience: "第3専門部会レポート",
    facilitator: "第3専門部会",
    capacity: 30,
    session: "day1-bunkakai",
    venue: "hananoyu",
    allocation: "first_come",
  },
  {
    key: "bunkakai-4",
    code: "第4分科会",
    title: "単組レポート分科会",
    audience: "各単組・職場から提出された自治研レポート",
    capacity: 30,
    session: "day1-bunkakai",
    venue: "hananoyu",
    allocation: "first_come",
  },
];

const kenshukai19: SeedEvent = {
  slug: "kenshukai-19",
  kind: "prefectural_convention",
  title: "第19回地方自治研究福島県集会",
  summary: "第19年次自治研の集大成。専門部会・単組のレポートを分科会で発表・討論します。",
  description:
    "第19年次自治研の取り組みの集大成として開催します。3つの専門部会(地域創生/大規模感染症や災害時の避難所運営/震災・原発事故からの復興とまちづくり)と単組のレポートを分科会で発表・討論し、県集会での議論を「福島県予算編成に対する制度政策提言書」につなげます。",
  organiser: "fukushima",
  startsAt: jst("2024-05-24", "13:30"),
  endsAt: jst("2024-05-25", "11:30"),
  venue: "hananoyu",
  membersOnly: false,
  capacity: 120,
  status: "closed",
  windows: [
    {
      label: "参加申込(単組取りまとめ)",
      opensAt: jst("2024-03-18", "09:00"),
      closesAt: jst("2024-04-26", "17:00"),
    },
  ],
  cancellationDeadline: jst("2024-05-17", "17:00"),
  sessions: [
    {
      key: "day1-plenary",
      kind: "plenary",
      title: "全体会(基調提起・記念講演)",
      startsAt: jst("2024-05-24", "13:30"),
      endsAt: jst("2024-05-24", "15:30"),
      venue: "hananoyu",
      capacity: 120,
      optional: false,
    },
    {
      key: "day1-bunkakai",
      kind: "breakout",
      title: "分科会",
      startsAt: jst("2024-05-24", "15:45"),
      endsAt: jst("2024-05-24", "17:45"),
      venue: "hananoyu",
      optional: false,
    },
    {
      key: "dinner",
      kind: "dinner",
      title: "夕食交流会",
      startsAt: jst("2024-05-24", "18:30"),
      endsAt: jst("2024-05-24", "20:30"),
      venue: "hananoyu",
      capacity: 100,
      optional: true,
    },
    {
      key: "lodging",
      kind: "lodging",
      title: "宿泊(5月24日泊)",
      startsAt: jst("2024-05-24", "15:00"),
      endsAt: jst("2024-05-25", "10:00"),
      venue: "hananoyu",
      capacity: 80,
      description: "ホテル華の湯に宿泊(相部屋・朝食付き)。",
      optional: true,
    },
    {
      key: "day2-plenary",
      kind: "plenary",
      title: "全体会(分科会報告・まとめ)",
      startsAt: jst("2024-05-25", "09:00"),
      endsAt: jst("2024-05-25", "11:30"),
      venue: "hananoyu",
      capacity: 120,
      optional: false,
    },
  ],
  courses: kenshukai19Bunkakai,
  programme: [
    {
      startsAt: jst("2024-05-24", "13:30"),
      endsAt: jst("2024-05-24", "13:50"),
      title: "開会・主催者挨拶",
      session: "day1-plenary",
    },
    {
      startsAt: jst("2024-05-24", "13:50"),
      endsAt: jst("2024-05-24", "14:20"),
      title: "基調提起",
      session: "day1-plenary",
    },
    {
      startsAt: jst("2024-05-24", "14:30"),
      endsAt: jst("2024-05-24", "15:30"),
      title: "記念講演",
      session: "day1-plenary",
    },
    {
      startsAt: jst("2024-05-24", "15:45"),
      endsAt: jst("2024-05-24", "17:45"),
      title: "分科会(レポート発表・討論)",
      session: "day1-bunkakai",
    },
    {
      startsAt: jst("2024-05-24", "18:30"),
      endsAt: jst("2024-05-24", "20:30"),
      title: "夕食交流会",
      session: "dinner",
    },
    {
      startsAt: jst("2024-05-25", "09:00"),
      endsAt: jst("2024-05-25", "11:00"),
      title: "分科会報告",
      session: "day2-plenary",
    },
    {
      startsAt: jst("2024-05-25", "11:00"),
      endsAt: jst("2024-05-25", "11:30"),
      title: "集会まとめ・閉会",
      session: "day2-plenary",
    },
  ],
  questions: [reportPresentation, travelToHananoyu],
  notes: KENSHUKAI_19_CORRECTION,
};

const kenshukai17: SeedEvent = {
  slug: "kenshukai-17",
  kind: "prefectural_convention",
  title: "第17回自治研福島県集会",
  summary: "東日本大震災後に再開した自治研活動の成果を持ち寄る県集会。約100名が参加。",
  description:
    "東日本大震災の影響を受けて中断していた自治研活動を2014年度に再開し、その成果を持ち寄って開催した県集会です。第17年次自治研活動で作成・提出されたレポートを基に、「福島県予算編成(2018年度・2019年度)制度政策提言書」を作成しました。",
  organiser: "fukushima",
  startsAt: jst("2016-06-17", "13:00"),
  endsAt: jst("2016-06-18", "11:30"),
  venue: "juraku",
  membersOnly: false,
  capacity: 120,
  status: "closed",
  windows: [
    {
      label: "参加申込(単組取りまとめ)",
      opensAt: jst("2016-04-18", "09:00"),
      closesAt: jst("2016-05-27", "17:00"),
    },
  ],
  cancellationDeadline: jst("2016-06-10", "17:00"),
  sessions: [
    {
      key: "day1-plenary",
      kind: "plenary",
      title: "全体会(基調提起・記念講演)",
      startsAt: jst("2016-06-17", "13:00"),
      endsAt: jst("2016-06-17", "15:00"),
      venue: "juraku",
      capacity: 120,
      optional: false,
    },
    {
      key: "day1-bunkakai",
      kind: "breakout",
      title: "分科会討論",
      startsAt: jst("2016-06-17", "15:15"),
      endsAt: jst("2016-06-17", "17:30"),
      venue: "juraku",
      optional: false,
    },
    {
      key: "dinner",
      kind: "dinner",
      title: "参加者夕食交流会",
      startsAt: jst("2016-06-17", "18:00"),
      endsAt: jst("2016-06-17", "20:00"),
      venue: "juraku",
      capacity: 100,
      optional: true,
    },
    {
      key: "lodging",
      kind: "lodging",
      title: "宿泊(6月17日泊)",
      startsAt: jst("2016-06-17", "15:00"),
      endsAt: jst("2016-06-18", "10:00"),
      venue: "juraku",
      capacity: 80,
      optional: true,
    },
    {
      key: "day2-plenary",
      kind: "plenary",
      title: "全体会(基調講演・分科会報告・集会まとめ)",
      startsAt: jst("2016-06-18", "09:00"),
      endsAt: jst("2016-06-18", "11:30"),
      venue: "juraku",
      capacity: 120,
      optional: false,
    },
  ],
  courses: [],
  programme: [
    {
      startsAt: jst("2016-06-17", "13:00"),
      endsAt: jst("2016-06-17", "13:40"),
      title: "基調提起",
      session: "day1-plenary",
    },
    {
      startsAt: jst("2016-06-17", "13:45"),
      endsAt: jst("2016-06-17", "15:00"),
      title: "記念講演",
      speaker: "川内村長",
      session: "day1-plenary",
    },
    {
      startsAt: jst("2016-06-17", "15:15"),
      endsAt: jst("2016-06-17", "17:30"),
      title: "分科会討論",
      session: "day1-bunkakai",
    },
    {
      startsAt: jst("2016-06-17", "18:00"),
      endsAt: jst("2016-06-17", "20:00"),
      title: "参加者夕食交流会",
      session: "dinner",
    },
    {
      startsAt: jst("2016-06-18", "09:00"),
      endsAt: jst("2016-06-18", "10:30"),
      title: "基調講演",
      speaker: "今井 照氏",
      session: "day2-plenary",
    },
    {
      startsAt: jst("2016-06-18", "10:40"),
      endsAt: jst("2016-06-18", "11:30"),
      title: "分科会報告、集会まとめ",
      session: "day2-plenary",
    },
  ],
  questions: [reportPresentation],
  notes: "2016年6月17日に、約100名の参加者を得て開催しました。",
};

const kenshukai18: SeedEvent = {
  slug: "kenshukai-18",
  kind: "prefectural_convention",
  title: "第18回地方自治研究福島県集会",
  summary: "3つの専門部会の調査研究を報告する県集会。約70名が参加。",
  description:
    "2017年4月26日の第1回政策闘争委員会の開催を皮切りに、3つの専門部会における調査研究を進め、その成果を報告する県集会として開催しました。",
  organiser: "fukushima",
  startsAt: jst("2018-05-25", "13:00"),
  endsAt: jst("2018-05-26", "11:30"),
  venue: "hananoyu",
  membersOnly: false,
  capacity: 100,
  status: "closed",
  windows: [
    {
      label: "参加申込(単組取りまとめ)",
      opensAt: jst("2018-04-02", "09:00"),
      closesAt: jst("2018-05-11", "17:00"),
    },
  ],
  cancellationDeadline: jst("2018-05-18", "17:00"),
  sessions: [
    {
      key: "day1-plenary",
      kind: "plenary",
      title: "全体会(基調提起・記念講演・専門部会報告)",
      startsAt: jst("2018-05-25", "13:00"),
      endsAt: jst("2018-05-25", "17:30"),
      venue: "hananoyu",
      capacity: 100,
      optional: false,
    },
    {
      key: "dinner",
      kind: "dinner",
      title: "参加者夕食交流会",
      startsAt: jst("2018-05-25", "18:00"),
      endsAt: jst("2018-05-25", "20:00"),
      venue: "hananoyu",
      capacity: 80,
      optional: true,
    },
    {
      key: "lodging",
      kind: "lodging",
      title: "宿泊(5月25日泊)",
      startsAt: jst("2018-05-25", "15:00"),
      endsAt: jst("2018-05-26", "10:00"),
      venue: "hananoyu",
      capacity: 60,
      optional: true,
    },
    {
      key: "day2-plenary",
      kind: "plenary",
      title: "全体会(基調講演・事例報告・まとめ)",
      startsAt: jst("2018-05-26", "09:00"),
      endsAt: jst("2018-05-26", "11:30"),
      venue: "hananoyu",
      capacity: 100,
      optional: false,
    },
  ],
  courses: [],
  programme: [
    {
      startsAt: jst("2018-05-25", "13:00"),
      endsAt: jst("2018-05-25", "13:40"),
      title: "基調提起",
      session: "day1-plenary",
    },
    {
      startsAt: jst("2018-05-25", "13:45"),
      endsAt: jst("2018-05-25", "15:15"),
      title: "記念講演",
      speaker: "自治総研 飛田博史氏",
      session: "day1-plenary",
    },
    {
      startsAt: jst("2018-05-25", "15:30"),
      endsAt: jst("2018-05-25", "17:30"),
      title: "専門部会報告",
      session: "day1-plenary",
    },
    {
      startsAt: jst("2018-05-25", "18:00"),
      endsAt: jst("2018-05-25", "20:00"),
      title: "参加者夕食交流会",
      session: "dinner",
    },
    {
      startsAt: jst("2018-05-26", "09:00"),
      endsAt: jst("2018-05-26", "10:20"),
      title: "基調講演",
      speaker: "今井 照氏",
      session: "day2-plenary",
    },
    {
      startsAt: jst("2018-05-26", "10:30"),
      endsAt: jst("2018-05-26", "11:15"),
      title: "事例報告 2団体",
      session: "day2-plenary",
    },
    {
      startsAt: jst("2018-05-26", "11:15"),
      endsAt: jst("2018-05-26", "11:30"),
      title: "まとめ",
      session: "day2-plenary",
    },
  ],
  questions: [reportPresentation, travelToHananoyu],
  notes: "2018年5月25日に、約70名の参加者を得て開催しました。",
};

const gakushukai2019: SeedEvent = {
  slug: "gakushukai-2019",
  kind: "study_session",
  title: "自治研学習会",
  summary: "講演「AI・RPAについて」と自治研レポート表彰。",
  description:
    "自治労本部の林政策局長を講師に「AI・RPAについて」の講演を行います。あわせて、各専門部会や各単組等における自治研活動や、提出されたレポートに対する表彰を行います。",
  organiser: "fukushima",
  startsAt: jst("2019-12-09", "13:30"),
  endsAt: jst("2019-12-09", "16:30"),
  venue: "green-palace",
  membersOnly: true,
  capacity: 80,
  status: "closed",
  windows: [
    {
      label: "参加申込",
      opensAt: jst("2019-11-01", "09:00"),
      closesAt: jst("2019-11-29", "17:00"),
    },
  ],
  cancellationDeadline: jst("2019-12-04", "17:00"),
  sessions: [
    {
      key: "lecture",
      kind: "lecture",
      title: "講演・自治研レポート表彰",
      startsAt: jst("2019-12-09", "13:30"),
      endsAt: jst("2019-12-09", "16:30"),
      venue: "green-palace",
      capacity: 80,
      optional: false,
    },
  ],
  courses: [],
  programme: [
    {
      startsAt: jst("2019-12-09", "13:30"),
      endsAt: jst("2019-12-09", "13:40"),
      title: "開会",
      session: "lecture",
    },
    {
      startsAt: jst("2019-12-09", "13:40"),
      endsAt: jst("2019-12-09", "15:30"),
      title: "講演「AI・RPAについて」",
      speaker: "自治労本部 林政策局長",
      session: "lecture",
    },
    {
      startsAt: jst("2019-12-09", "15:45"),
      endsAt: jst("2019-12-09", "16:20"),
      title: "自治研レポート表彰",
      description: "各専門部会や各単組等における自治研活動や、提出されたレポートを表彰します。",
      session: "lecture",
    },
    {
      startsAt: jst("2019-12-09", "16:20"),
      endsAt: jst("2019-12-09", "16:30"),
      title: "閉会",
      session: "lecture",
    },
  ],
  questions: [],
};

const senmonbukaiZentaikai2022: SeedEvent = {
  slug: "senmonbukai-zentaikai-2022",
  kind: "working_group_meeting",
  title: "専門部会全体会",
  summary: "第19年次自治研の専門部会全体会。終了後、各専門部会の第1回を開催。",
  description:
    "第19年次自治研の3つの専門部会(第1:地域創生/第2:コロナ禍における対応/第3:震災・原発事故)の部会員が一堂に会する全体会です。全体会終了後、各専門部会の第1回を開催します。",
  organiser: "fukushima",
  startsAt: jst("2022-09-22", "13:30"),
  endsAt: jst("2022-09-22", "17:00"),
  venue: "terusa",
  membersOnly: true,
  capacity: 60,
  status: "closed",
  windows: [
    {
      label: "出欠登録(専門部会員)",
      opensAt: jst("2022-08-22", "09:00"),
      closesAt: jst("2022-09-15", "17:00"),
    },
  ],
  sessions: [
    {
      key: "zentaikai",
      kind: "plenary",
      title: "専門部会全体会",
      startsAt: jst("2022-09-22", "13:30"),
      endsAt: jst("2022-09-22", "15:30"),
      venue: "terusa",
      capacity: 60,
      optional: false,
    },
    {
      key: "bukai",
      kind: "meeting",
      title: "各専門部会 第1回(全体会終了後)",
      startsAt: jst("2022-09-22", "15:45"),
      endsAt: jst("2022-09-22", "17:00"),
      venue: "terusa",
      optional: false,
    },
  ],
  courses: [],
  programme: [
    {
      startsAt: jst("2022-09-22", "13:30"),
      endsAt: jst("2022-09-22", "15:30"),
      title: "専門部会全体会(第19年次自治研対応方針・県集会までの日程)",
      session: "zentaikai",
    },
    {
      startsAt: jst("2022-09-22", "15:45"),
      endsAt: jst("2022-09-22", "17:00"),
      title: "各専門部会 第1回",
      session: "bukai",
    },
  ],
  questions: [],
  notes:
    "※各専門部会の第1回目の「全体会」とは、2022年9月22日(木)に福島市「キョウワグループ・テルサホール(福島テルサ)」において開催した専門部会全体会のことです。",
};

const senmonbukaiChukan2023: SeedEvent = {
  slug: "senmonbukai-chukan-2023",
  kind: "working_group_meeting",
  title: "専門部会中間報告会",
  summary: "3つの専門部会の調査・研究の中間報告。終了後、各専門部会を開催。",
  description:
    "第19年次自治研の各専門部会が、これまでの調査・研究の状況を中間報告します。報告会終了後、各専門部会(第1専門部会 第6回/第2専門部会 第4回/第3専門部会 第7回)を開催します。",
  organiser: "fukushima",
  startsAt: jst("2023-03-18", "14:00"),
  endsAt: jst("2023-03-18", "18:00"),
  venue: "seishonen-kaikan",
  membersOnly: true,
  capacity: 60,
  status: "closed",
  windows: [
    {
      label: "出欠登録(専門部会員)",
      opensAt: jst("2023-02-13", "09:00"),
      closesAt: jst("2023-03-10", "17:00"),
    },
  ],
  sessions: [
    {
      key: "chukan",
      kind: "plenary",
      title: "専門部会中間報告会",
      startsAt: jst("2023-03-18", "14:00"),
      endsAt: jst("2023-03-18", "16:00"),
      venue: "seishonen-kaikan",
      capacity: 60,
      optional: false,
    },
    {
      key: "bukai",
      kind: "meeting",
      title: "各専門部会(中間報告会終了後)",
      startsAt: jst("2023-03-18", "16:30"),
      endsAt: jst("2023-03-18", "18:00"),
      venue: "seishonen-kaikan",
      optional: false,
    },
  ],
  courses: [],
  programme: [
    {
      startsAt: jst("2023-03-18", "14:00"),
      endsAt: jst("2023-03-18", "14:10"),
      title: "開会",
      session: "chukan",
    },
    {
      startsAt: jst("2023-03-18", "14:10"),
      endsAt: jst("2023-03-18", "14:45"),
      title: "第1専門部会 中間報告(自治体DX・地域コミュニティ)",
      session: "chukan",
    },
    {
      startsAt: jst("2023-03-18", "14:45"),
      endsAt: jst("2023-03-18", "15:20"),
      title: "第2専門部会 中間報告(大規模感染症・災害時の避難所運営)",
      session: "chukan",
    },
    {
      startsAt: jst("2023-03-18", "15:20"),
      endsAt: jst("2023-03-18", "15:55"),
      title: "第3専門部会 中間報告(復興におけるまちづくりにかかわる職員の現状)",
      session: "chukan",
    },
    {
      startsAt: jst("2023-03-18", "16:30"),
      endsAt: jst("2023-03-18", "18:00"),
      title: "各専門部会",
      session: "bukai",
    },
  ],
  questions: [],
  notes:
    "※3月18日(土)の各部会については、同日14:00から福島県青少年会館(福島市)で開催された、「専門部会中間報告会」終了後に開催されたものです。",
};

export const pastEvents: SeedEvent[] = [
  onlineSeminar2023,
  zenkoku39,
  under35_4,
  kenshukai19,
  kenshukai17,
  kenshukai18,
  gakushukai2019,
  senmonbukaiZentaikai2022,
  senmonbukaiChukan2023,
];

// ---------------------------------------------------------------------------
// upcoming events (dates relative to `today`)
// ---------------------------------------------------------------------------

/** 分科会 of the 40th national convention (島根). Stand-ins: the seed only says 2024年10月・島根県. */
const zenkoku40Bunkakai: [string, string, string, number][] = [
  ["第1分科会", "人口減少・過疎と地域の持続可能性", "shimane-kenmin-kaikan", 300],
  ["第2分科会", "原子力防災と広域避難~原発30キロ圏の自治体", "kunibiki-messe", 300],
  ["第3分科会", "地域医療と介護・福祉人材の確保", "matsue-terrsa", 200],
  ["第4分科会", "自治体DXとこれからの公共サービス", "kunibiki-messe", 300],
  ["第5分科会", "子ども・若者が暮らし続けられる地域", "matsue-terrsa", 150],
  ["第6分科会", "中山間地域・離島の暮らしと地域交通", "hotel-ichibata", 150],
  ["第7分科会", "防災・減災と避難所運営", "shimane-kenmin-kaikan", 250],
  ["第8分科会", "地方財政と自治体職場の人員確保", "hotel-ichibata", 200],
];

export function upcomingEvents(today: Date): SeedEvent[] {
  const opens = at(today, -7, "09:00");

  // --- オンラインセミナー --------------------------------------------------------
  const s = fridayFrom(today, 30);
  const zoomNext = "https://zoom.us/j/86207300001?pwd=bmV4dC1zZW1pbmFy";
  const onlineSeminarNext: SeedEvent = {
    slug: "online-seminar-next",
    kind: "online_seminar",
    title: ONLINE_SEMINAR_TITLE,
    summary: "自治研って何?講演と取り組み報告、コース別の少人数グループワーク(ZOOM)。",
    description: ONLINE_SEMINAR_PLAN,
    organiser: "honbu",
    startsAt: at(today, s, "18:00"),
    endsAt: at(today, s, "20:00"),
    online: { label: "オンライン(Zoom)", url: zoomNext },
    membersOnly: true,
    capacity: 35,
    status: "published",
    windows: [{ label: "参加申込", opensAt: opens, closesAt: at(today, s - 5, "17:00") }],
    cancellationDeadline: at(today, s - 2, "17:00"),
    sessions: [
      {
        key: "group-work",
        kind: "breakout",
        title: "グループワーク",
        startsAt: at(today, s, "19:00"),
        endsAt: at(today, s, "20:00"),
        onlineUrl: zoomNext,
        description: GROUP_WORK_TEXT,
        optional: false,
      },
    ],
    courses: [
      {
        key: "course-1",
        code: "コース①",
        title: "【初級編】レッツトライ!自治研活動",
        audience: "これから何かに取り組んでみたい方、どう始めたらいいかわからない方むけ",
        facilitator: "氷室佐由里 政策局長",
        adviser: "調整中",
        capacity: 20,
        session: "group-work",
        allocation: "first_come",
      },
      {
        key: "course-2",
        code: "コース②",
        title: "【中級編】よりよい地域をめざして",
        audience: "今取り組んでいる活動をステップアップしたい方むけ",
        facilitator: "橋本和久さん",
        adviser: "三澤和也さん",
        capacity: 15,
        session: "group-work",
        allocation: "first_come",
      },
    ],
    programme: [
      { startsAt: at(today, s, "18:00"), title: "開会" },
      {
        startsAt: at(today, s, "18:05"),
        endsAt: at(today, s, "18:35"),
        title: "講演「自治研とは?~組合が自治研活動に取り組む意義」",
        speaker: HASHIMOTO,
      },
      {
        startsAt: at(today, s, "18:35"),
        endsAt: at(today, s, "19:00"),
        title: "取り組み報告",
        speaker: "調整中",
      },
      {
        startsAt: at(today, s, "19:00"),
        endsAt: at(today, s, "20:00"),
        title: "グループワーク(ZOOM:ブレイクアウトルーム機能を使用)",
        description: GROUP_WORK_TEXT,
        session: "group-work",
      },
      { startsAt: at(today, s, "20:00"), title: "閉会" },
    ],
    questions: [
      jichikenExperience,
      {
        label: "グループワークで話してみたいこと・聞いてみたいこと",
        kind: "text",
        required: false,
      },
    ],
    notes: `${HONBU_NOTICE}詳細は、県本部組合員専用ページにてご確認ください。`,
  };

  // --- 第40回 島根自治研 ---------------------------------------------------------
  const z = fridayFrom(today, 120);
  const zenkoku40: SeedEvent = {
    slug: "zenkoku-40-shimane",
    kind: "national_convention",
    title: "第40回地方自治研究全国集会(島根自治研)",
    summary: "1日目は島根県民会館で全体集会、2日目は松江市内の会場に分散して分科会。",
    description:
      "第1日目は島根県民会館で全体集会を、第2日目は松江市内の会場に分散して分科会を開催します。分科会の会場一覧は本部発文をご確認ください。",
    organiser: "honbu",
    startsAt: at(today, z, "10:00"),
    endsAt: at(today, z + 1, "16:00"),
    venue: "shimane-kenmin-kaikan",
    membersOnly: true,
    capacity: 1500,
    status: "published",
    windows: [
      {
        label: "参加申込(県本部取りまとめ)",
        opensAt: opens,
        closesAt: at(today, z - 42, "17:00"),
      },
    ],
    cancellationDeadline: at(today, z - 14, "17:00"),
    sessions: [
      {
        key: "day1-plenary",
        kind: "plenary",
        title: "第1日目 全体集会",
        startsAt: at(today, z, "10:00"),
        endsAt: at(today, z, "17:30"),
        venue: "shimane-kenmin-kaikan",
        capacity: 1500,
        optional: false,
      },
      {
        key: "day1-reception",
        kind: "reception",
        title: "歓迎レセプション",
        startsAt: at(today, z, "18:30"),
        endsAt: at(today, z, "20:30"),
        venue: "kunibiki-messe",
        capacity: 800,
        optional: true,
      },
      {
        key: "day2-bunkakai",
        kind: "breakout",
        title: "第2日目 分科会",
        startsAt: at(today, z + 1, "09:00"),
        endsAt: at(today, z + 1, "16:00"),
        description: "松江市内の会場に分散して開催します。",
        optional: false,
      },
    ],
    courses: zenkoku40Bunkakai.map(
      ([code, title, venueKey, capacity], i): SeedCourse => ({
        key: `bunkakai-${i + 1}`,
        code,
        title,
        capacity,
        session: "day2-bunkakai",
        venue: venueKey,
        allocation: "first_come",
      }),
    ),
    programme: [
      {
        startsAt: at(today, z, "10:00"),
        endsAt: at(today, z, "17:30"),
        title: "全体集会(開会・主催者挨拶・基調報告・記念講演ほか)",
        session: "day1-plenary",
      },
      {
        startsAt: at(today, z, "18:30"),
        endsAt: at(today, z, "20:30"),
        title: "歓迎レセプション",
        session: "day1-reception",
      },
      {
        startsAt: at(today, z + 1, "09:00"),
        endsAt: at(today, z + 1, "16:00"),
        title: "分科会(松江市内の会場に分散)",
        session: "day2-bunkakai",
      },
    ],
    questions: [
      {
        label: "分科会でのレポート発表",
        kind: "single",
        options: ["発表する", "発表しない"],
        required: true,
      },
      {
        label: "宿泊の手配",
        kind: "single",
        options: ["県本部での一括手配を希望する", "各自で手配する", "宿泊しない"],
        required: true,
      },
    ],
    notes: "全体集会資料は、集会終了後に「専門部会員専用ページ」(要PW)に掲載します。",
  };

  // --- 第20回 福島県集会 ---------------------------------------------------------
  const k = fridayFrom(today, 75);
  const kenshukai20: SeedEvent = {
    slug: "kenshukai-20",
    kind: "prefectural_convention",
    title: "第20回地方自治研究福島県集会",
    summary: "第20年次自治研の集大成。専門部会・単組のレポートを分科会で発表・討論します。",
    description:
      "第20年次自治研の取り組みの集大成として開催します。専門部会と単組のレポートを分科会で発表・討論し、県集会での議論を「福島県予算編成に対する制度政策提言書」につなげます。",
    organiser: "fukushima",
    startsAt: at(today, k, "13:30"),
    endsAt: at(today, k + 1, "11:30"),
    venue: "hananoyu",
    membersOnly: false,
    capacity: 120,
    status: "published",
    windows: [
      {
        label: "参加申込(単組取りまとめ)",
        opensAt: opens,
        closesAt: at(today, k - 21, "17:00"),
      },
    ],
    cancellationDeadline: at(today, k - 7, "17:00"),
    sessions: [
      {
        key: "day1-plenary",
        kind: "plenary",
        title: "全体会(基調提起・記念講演)",
        startsAt: at(today, k, "13:30"),
        endsAt: at(today, k, "15:30"),
        venue: "hananoyu",
        capacity: 120,
        optional: false,
      },
      {
        key: "day1-bunkakai",
        kind: "breakout",
        title: "分科会",
        startsAt: at(today, k, "15:45"),
        endsAt: at(today, k, "17:45"),
        venue: "hananoyu",
        optional: false,
      },
      {
        key: "dinner",
        kind: "dinner",
        title: "夕食交流会",
        startsAt: at(today, k, "18:30"),
        endsAt: at(today, k, "20:30"),
        venue: "hananoyu",
        capacity: 100,
        optional: true,
      },
      {
        key: "lodging",
        kind: "lodging",
        title: "宿泊(1日目泊)",
        startsAt: at(today, k, "15:00"),
        endsAt: at(today, k + 1, "10:00"),
        venue: "hananoyu",
        capacity: 80,
        description: "ホテル華の湯に宿泊(相部屋・朝食付き)。",
        optional: true,
      },
      {
        key: "day2-plenary",
        kind: "plenary",
        title: "全体会(分科会報告・まとめ)",
        startsAt: at(today, k + 1, "09:00"),
        endsAt: at(today, k + 1, "11:30"),
        venue: "hananoyu",
        capacity: 120,
        optional: false,
      },
    ],
    courses: [
      {
        key: "bunkakai-1",
        code: "第1分科会",
        title: "地域創生~自治体DXと地域コミュニティ",
        audience: "第1専門部会レポート",
        facilitator: "第1専門部会",
        capacity: 40,
        session: "day1-bunkakai",
        venue: "hananoyu",
        allocation: "first_come",
      },
      {
        key: "bunkakai-2",
        code: "第2分科会",
        title: "大規模感染症や災害時の避難所運営",
        audience: "第2専門部会レポート",
        facilitator: "第2専門部会",
        capacity: 30,
        session: "day1-bunkakai",
        venue: "hananoyu",
        allocation: "first_come",
      },
      {
        key: "bunkakai-3",
        code: "第3分科会",
        title: "震災・原発事故からの復興とまちづくり",
        audience: "第3専門部会レポート",
        facilitator: "第3専門部会",
        capacity: 30,
        session: "day1-bunkakai",
        venue: "hananoyu",
        allocation: "first_come",
      },
      {
        key: "bunkakai-4",
        code: "第4分科会",
        title: "単組レポート分科会",
        audience: "各単組・職場から提出された自治研レポート",
        capacity: 30,
        session: "day1-bunkakai",
        venue: "hananoyu",
        allocation: "first_come",
      },
    ],
    programme: [
      {
        startsAt: at(today, k, "13:30"),
        endsAt: at(today, k, "13:50"),
        title: "開会・主催者挨拶",
        session: "day1-plenary",
      },
      {
        startsAt: at(today, k, "13:50"),
        endsAt: at(today, k, "14:20"),
        title: "基調提起",
        session: "day1-plenary",
      },
      {
        startsAt: at(today, k, "14:30"),
        endsAt: at(today, k, "15:30"),
        title: "記念講演",
        speaker: "調整中",
        session: "day1-plenary",
      },
      {
        startsAt: at(today, k, "15:45"),
        endsAt: at(today, k, "17:45"),
        title: "分科会(レポート発表・討論)",
        session: "day1-bunkakai",
      },
      {
        startsAt: at(today, k, "18:30"),
        endsAt: at(today, k, "20:30"),
        title: "夕食交流会",
        session: "dinner",
      },
      {
        startsAt: at(today, k + 1, "09:00"),
        endsAt: at(today, k + 1, "11:00"),
        title: "分科会報告",
        session: "day2-plenary",
      },
      {
        startsAt: at(today, k + 1, "11:00"),
        endsAt: at(today, k + 1, "11:30"),
        title: "集会まとめ・閉会",
        session: "day2-plenary",
      },
    ],
    questions: [reportPresentation, travelToHananoyu],
  };

  // --- 第5回 UNDER35 -------------------------------------------------------------
  const u = fridayFrom(today, 200);
  const under35_5: SeedEvent = {
    slug: "under35-5",
    kind: "youth_gathering",
    title: "第5回自治研UNDER35全国集会",
    summary: "開催地でフィールドワーク。チームごとに地域課題の解決策を提案・発表。",
    description:
      "開催地を舞台にフィールドワークを行い、そこで見つけた地域の課題に対してチームごとに解決策の提案をめざします。また、その発表を通じて共有化します。\n※第4回(2023年・高知県いの町・日高村)でも、開催地への意見・質問・改善案の提起など、政策提言につながるような発表が生まれています。",
    organiser: "honbu",
    startsAt: at(today, u, "15:00"),
    endsAt: at(today, u + 2, "15:00"),
    membersOnly: true,
    maxAge: 35,
    capacity: 60,
    status: "published",
    windows: [{ label: "参加申込", opensAt: opens, closesAt: at(today, u - 49, "17:00") }],
    cancellationDeadline: at(today, u - 14, "17:00"),
    sessions: [
      {
        key: "day1-opening",
        kind: "plenary",
        title: "開会・オリエンテーション・チームづくり",
        startsAt: at(today, u, "15:00"),
        endsAt: at(today, u, "18:00"),
        optional: false,
      },
      {
        key: "day1-reception",
        kind: "reception",
        title: "交流会",
        startsAt: at(today, u, "18:30"),
        endsAt: at(today, u, "20:30"),
        capacity: 60,
        optional: true,
      },
      {
        key: "lodging-night1",
        kind: "lodging",
        title: "宿泊(1日目泊)",
        startsAt: at(today, u, "21:00"),
        endsAt: at(today, u + 1, "08:30"),
        description: "宿泊先は本部で手配します。",
        optional: true,
      },
      {
        key: "day2-fieldwork",
        kind: "fieldwork",
        title: "フィールドワーク・チーム討議",
        startsAt: at(today, u + 1, "09:00"),
        endsAt: at(today, u + 1, "17:00"),
        description: "チームごとに現地を歩き、地域の課題を見つけ、解決策の提案をまとめます。",
        optional: false,
      },
      {
        key: "lodging-night2",
        kind: "lodging",
        title: "宿泊(2日目泊)",
        startsAt: at(today, u + 1, "21:00"),
        endsAt: at(today, u + 2, "08:30"),
        description: "宿泊先は本部で手配します。",
        optional: true,
      },
      {
        key: "day3-presentation",
        kind: "plenary",
        title: "フィールドワーク発表・講評・閉会",
        startsAt: at(today, u + 2, "09:00"),
        endsAt: at(today, u + 2, "15:00"),
        optional: false,
      },
    ],
    courses: ["チームA", "チームB", "チームC", "チームD"].map(
      (code, i): SeedCourse => ({
        key: `team-${String.fromCharCode(97 + i)}`,
        code,
        title: `フィールドワーク ${code}(テーマは開催地と調整中)`,
        capacity: 15,
        session: "day2-fieldwork",
        allocation: "first_come",
      }),
    ),
    programme: [
      {
        startsAt: at(today, u, "15:00"),
        endsAt: at(today, u, "18:00"),
        title: "開会・オリエンテーション・チームづくり",
        session: "day1-opening",
      },
      {
        startsAt: at(today, u, "18:30"),
        endsAt: at(today, u, "20:30"),
        title: "交流会",
        session: "day1-reception",
      },
      {
        startsAt: at(today, u + 1, "09:00"),
        endsAt: at(today, u + 1, "17:00"),
        title: "フィールドワーク・チーム討議",
        session: "day2-fieldwork",
      },
      {
        startsAt: at(today, u + 2, "09:00"),
        endsAt: at(today, u + 2, "14:30"),
        title: "フィールドワーク発表・講評",
        session: "day3-presentation",
      },
      {
        startsAt: at(today, u + 2, "14:30"),
        endsAt: at(today, u + 2, "15:00"),
        title: "閉会",
        session: "day3-presentation",
      },
    ],
    questions: [
      jichikenExperience,
      {
        label: "フィールドワークで関心のある分野",
        kind: "multiple",
        options: [
          "観光・交流",
          "伝統産業・地場産業",
          "子育て・移住定住",
          "公共交通・買い物",
          "防災",
        ],
        required: false,
      },
    ],
    notes: `開催地・会場は調整中です(決定次第、本部発文にてお知らせします)。${HONBU_NOTICE}`,
  };

  return [onlineSeminarNext, zenkoku40, kenshukai20, under35_5];
}

// ---------------------------------------------------------------------------
// working groups (第19年次自治研 専門部会)
// ---------------------------------------------------------------------------

export const workingGroups: SeedWorkingGroup[] = [
  {
    number: 1,
    name: "第1専門部会",
    theme: "地域創生",
    topics: ["自治体DX", "地域コミュニティ"],
    term: "第19年次",
  },
  {
    number: 2,
    name: "第2専門部会",
    theme: "コロナ禍における対応",
    topics: [
      "コロナ禍に限らず、大規模感染症や災害復旧時の迅速かつ市民主体の避難所設置・解散までの運営に関すること",
    ],
    term: "第19年次",
  },
  {
    number: 3,
    name: "第3専門部会",
    theme: "震災・原発事故",
    topics: ["復興におけるまちづくりにかかわる職員の現状"],
    term: "第19年次",
  },
];

// ---------------------------------------------------------------------------
// meetings (部会開催経過, 2022年9月〜2023年11月)
// ---------------------------------------------------------------------------

const ZOOM_G1 = "https://zoom.us/j/84519010001?pwd=ZGFpMS1zZW5tb25idWthaQ";

const ROOM = { placeKind: "room", placeName: "県本部自治研室", venue: "jichiken-room" } as const;
const ZOOM1 = { placeKind: "zoom", placeName: "ZOOM", onlineUrl: ZOOM_G1 } as const;
const AFTER_CHUKAN = {
  placeKind: "room",
  placeName: "福島県青少年会館",
  venue: "seishonen-kaikan",
  note: "中間報告会終了後",
} as const;

/** A meeting of a single group. */
function groupMeeting(
  group: number,
  number: number,
  startsAt: string,
  endsAt: string,
  place: Pick<SeedMeeting, "placeKind" | "placeName" | "venue" | "onlineUrl" | "note">,
): SeedMeeting {
  return {
    key: `g${group}-${String(number).padStart(2, "0")}`,
    title: `第${group}専門部会 第${number}回`,
    startsAt,
    endsAt,
    ...place,
    groups: [{ group, number }],
  };
}

export const meetings: SeedMeeting[] = [
  // --- 合同 -------------------------------------------------------------------
  {
    key: "zentaikai-2022",
    title: "各専門部会 第1回(専門部会全体会終了後)",
    startsAt: jst("2022-09-22", "15:45"),
    endsAt: jst("2022-09-22", "17:00"),
    placeKind: "room",
    placeName: "キョウワグループ・テルサホール(福島テルサ)",
    venue: "terusa",
    note: "全体会終了後",
    groups: [
      { group: 1, number: 1 },
      { group: 2, number: 1 },
      { group: 3, number: 1 },
    ],
  },
  {
    key: "chukan-2023",
    title: "専門部会中間報告会",
    startsAt: jst("2023-03-18", "14:00"),
    endsAt: jst("2023-03-18", "16:00"),
    placeKind: "room",
    placeName: "福島県青少年会館",
    venue: "seishonen-kaikan",
    groups: [
      { group: 1, number: null },
      { group: 2, number: null },
      { group: 3, number: null },
    ],
  },

  // --- 第1専門部会(地域創生) -------------------------------------------------------
  // 第1回 = zentaikai-2022
  groupMeeting(1, 2, jst("2022-10-22", "13:30"), jst("2022-10-22", "16:00"), ROOM),
  groupMeeting(1, 3, jst("2022-11-19", "14:00"), jst("2022-11-19", "16:00"), ZOOM1),
  groupMeeting(1, 4, jst("2023-01-25", "18:30"), jst("2023-01-25", "20:30"), ZOOM1),
  groupMeeting(1, 5, jst("2023-02-18", "13:00"), jst("2023-02-18", "16:00"), ROOM),
  groupMeeting(1, 6, jst("2023-03-18", "16:30"), jst("2023-03-18", "18:00"), AFTER_CHUKAN),
  groupMeeting(1, 7, jst("2023-04-15", "10:30"), jst("2023-04-15", "15:00"), {
    placeKind: "site",
    placeName: "会津若松市「スマートシティAiCT交流棟」",
    venue: "aict",
  }),
  groupMeeting(1, 8, jst("2023-05-28", "15:30"), jst("2023-05-28", "17:30"), ROOM),
  groupMeeting(1, 9, jst("2023-06-18", "15:00"), jst("2023-06-18", "17:00"), ROOM),
  groupMeeting(1, 10, jst("2023-07-19", "18:30"), jst("2023-07-19", "20:30"), ZOOM1),
  groupMeeting(1, 11, jst("2023-08-26", "10:00"), jst("2023-08-27", "15:00"), {
    placeKind: "site",
    placeName: "現地調査",
    note: "8月26日(土)・27日(日)現地調査",
  }),
  groupMeeting(1, 12, jst("2023-10-25", "18:30"), jst("2023-10-25", "20:30"), ZOOM1),
  groupMeeting(1, 13, jst("2023-11-26", "15:30"), jst("2023-11-26", "17:30"), ROOM),

  // --- 第2専門部会(コロナ禍における対応) ------------------------------------------------
  // 第1回 = zentaikai-2022
  groupMeeting(2, 2, jst("2022-11-19", "13:30"), jst("2022-11-19", "16:00"), ROOM),
  groupMeeting(2, 3, jst("2023-03-05", "13:00"), jst("2023-03-05", "16:00"), {
    placeKind: "site",
    placeName: "道の駅 国見「あつかしの郷」",
    venue: "michinoeki-kunimi",
  }),
  groupMeeting(2, 4, jst("2023-03-18", "16:30"), jst("2023-03-18", "18:00"), AFTER_CHUKAN),

  // --- 第3専門部会(震災・原発事故) -------------------------------------------------------
  // 第1回 = zentaikai-2022
  groupMeeting(3, 2, jst("2022-11-02", "18:30"), jst("2022-11-02", "20:30"), ROOM),
  groupMeeting(3, 3, jst("2022-11-19", "10:00"), jst("2022-11-19", "15:00"), {
    placeKind: "site",
    placeName: "飯舘村役場",
    venue: "iitate-yakuba",
  }),
  groupMeeting(3, 4, jst("2022-12-18", "10:00"), jst("2022-12-18", "15:00"), {
    placeKind: "site",
    placeName: "大熊町「linkる大熊」",
    venue: "linkru-okuma",
  }),
  groupMeeting(3, 5, jst("2023-01-21", "10:00"), jst("2023-01-21", "12:30"), ROOM),
  groupMeeting(3, 6, jst("2023-02-25", "10:00"), jst("2023-02-25", "12:30"), {
    placeKind: "room",
    placeName: "福島GP(ホテル福島グリーンパレス)",
    venue: "green-palace",
  }),
  groupMeeting(3, 7, jst("2023-03-18", "16:30"), jst("2023-03-18", "18:00"), AFTER_CHUKAN),
  groupMeeting(3, 8, jst("2023-05-27", "10:00"), jst("2023-05-27", "15:00"), {
    placeKind: "site",
    placeName: "喜多方プラザ",
    venue: "kitakata-plaza",
  }),
  groupMeeting(3, 9, jst("2023-06-25", "10:00"), jst("2023-06-25", "12:30"), ROOM),
  groupMeeting(3, 10, jst("2023-09-16", "10:00"), jst("2023-09-17", "15:00"), {
    placeKind: "site",
    placeName: "現地調査",
    note: "9月16日(土)・17日(日)現地調査",
  }),
  groupMeeting(3, 11, jst("2023-10-22", "10:00"), jst("2023-10-22", "12:30"), ROOM),
  groupMeeting(3, 12, jst("2023-11-25", "10:00"), jst("2023-11-25", "15:00"), {
    placeKind: "site",
    placeName: "道の駅国見「あつかしの郷」",
    venue: "michinoeki-kunimi",
  }),
];
