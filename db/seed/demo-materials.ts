import type { Database } from "../index";

/**
 * Demo materials that replace the page behind the shared password (see the
 * seed's 「組合員専用ページ(要パスワード)」): the 財政分析 study videos, the
 * 39th national convention's 全体集会資料 and 本部発文, and the 専門部会's own
 * papers; plus the three 専門部会 reports presented at the 19th 県集会.
 *
 * All are links (a demo writes no files). The URLs are example.jp stand-ins:
 * the seed names the documents but not where they live.
 */
type DemoMaterial = {
  title: string;
  description: string;
  kind: "link" | "video";
  url: string;
  visibility: "public" | "members" | "registrants" | "roster";
  event?: string;
  session?: { event: string; key: string };
  group?: number;
};

const materials: DemoMaterial[] = [
  {
    title: "当局の「財政が厳しいから…」は本当か~地方財政確立の取り組みにむけた動画配信~",
    description:
      "自治労本部作成の自治研(地方財政)に関する学習素材です。単組の自治研活動における「財政分析」の際の参考にしてください。",
    kind: "video",
    url: "https://example.jp/jichiro/jichiken/zaisei-douga/",
    visibility: "members",
    event: "gakushukai-2019",
  },
  {
    title: "第39回地方自治研究全国集会 全体集会資料(1日目)",
    description: "集会1日目(10月7日)の全体集会資料です。参加申込者の方がご覧いただけます。",
    kind: "link",
    url: "https://example.jp/jichiro/jichiken/zenkoku39/zentai-shiryo.pdf",
    visibility: "registrants",
    session: { event: "zenkoku-39-shizuoka", key: "day1-plenary" },
  },
  {
    title: "本部発文(分科会の会場一覧)",
    description: "第2日目の分科会は静岡市内の会場に分散して開催します。",
    kind: "link",
    url: "https://example.jp/jichiro/jichiken/zenkoku39/bunkakai-kaijo.pdf",
    visibility: "members",
    event: "zenkoku-39-shizuoka",
  },
  {
    title: "本部発文 第4回自治研UNDER35全国集会の開催について",
    description: "開催要綱・参加申込の取りまとめについて。",
    kind: "link",
    url: "https://example.jp/jichiro/jichiken/under35-4/youkou.pdf",
    visibility: "members",
    event: "under35-4-ino",
  },
  {
    title: "オンラインセミナー「自治研って何?」ご案内チラシ",
    description: "組合員の皆さまへの周知にお使いください。",
    kind: "link",
    url: "https://example.jp/fukushima/jichiken/seminar-2023.pdf",
    visibility: "public",
    event: "online-seminar-2023",
  },
  {
    title: "第19年次自治研対応方針",
    description:
      "2022年6月10日 県本部第12回中央執行委員会決定。専門部会の進め方と県集会までの日程。",
    kind: "link",
    url: "https://example.jp/fukushima/jichiken/19/taiou-houshin.pdf",
    visibility: "members",
    event: "senmonbukai-zentaikai-2022",
  },
  {
    title: "第1専門部会 中間報告資料(自治体DX・地域コミュニティ)",
    description: "2023年3月18日の専門部会中間報告会で配布した資料です。",
    kind: "link",
    url: "https://example.jp/fukushima/jichiken/19/bukai1-chukan.pdf",
    visibility: "roster",
    group: 1,
  },
  {
    title: "第3専門部会 現地調査記録(飯舘村・大熊町)",
    description: "第3回・第4回の現地調査の記録です。",
    kind: "link",
    url: "https://example.jp/fukushima/jichiken/19/bukai3-genchi.pdf",
    visibility: "roster",
    group: 3,
  },
];

/** The 専門部会 reports of the 19th 県集会, one per 分科会 (the seed's plan: 専門部会毎にレポートを作成し、県集会で発表). */
const reports = [
  {
    course: "bunkakai-1",
    group: 1,
    title: "地域創生~自治体DXと地域コミュニティ",
    authors: "第19年次自治研 第1専門部会",
  },
  {
    course: "bunkakai-2",
    group: 2,
    title: "大規模感染症・災害時における市民主体の避難所運営",
    authors: "第19年次自治研 第2専門部会",
  },
  {
    course: "bunkakai-3",
    group: 3,
    title: "復興におけるまちづくりにかかわる職員の現状",
    authors: "第19年次自治研 第3専門部会",
  },
];

/** Loads the demo materials and reports; called inside the demo loader's transaction. */
export async function loadDemoMaterials(
  trx: Database,
  ids: {
    eventIds: Map<string, number>;
    groupIds: Map<number, number>;
    orgIds: Map<string, number>;
    personIds: Map<string, string>;
  },
): Promise<void> {
  const event = (slug: string) => {
    const id = ids.eventIds.get(slug);
    if (id === undefined) throw new Error(`demo materials: unknown event ${slug}`);
    return id;
  };
  const createdBy = ids.personIds.get("organiser@example.jp") ?? null;
  for (const m of materials) {
    let eventId: number | null = m.event ? event(m.event) : null;
    let sessionId: number | null = null;
    if (m.session) {
      eventId = event(m.session.event);
      const session = await trx
        .selectFrom("event_sessions")
        .select("id")
        .where("event_id", "=", eventId)
        .where("key", "=", m.session.key)
        .executeTakeFirstOrThrow();
      sessionId = session.id;
    }
    await trx
      .insertInto("materials")
      .values({
        event_id: eventId,
        session_id: sessionId,
        group_id: m.group !== undefined ? (ids.groupIds.get(m.group) ?? null) : null,
        title: m.title,
        description: m.description,
        kind: m.kind,
        url: m.url,
        visibility: m.visibility,
        created_by: createdBy,
      })
      .execute();
  }

  const kenshukai = event("kenshukai-19");
  const fukushima = ids.orgIds.get("fukushima") ?? null;
  for (const r of reports) {
    const course = await trx
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", kenshukai)
      .where("key", "=", r.course)
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("reports")
      .values({
        event_id: kenshukai,
        course_id: course.id,
        requested_course_id: course.id,
        organisation_id: fukushima,
        submitted_by: createdBy,
        title: r.title,
        authors: r.authors,
        status: "accepted",
        presentation_order: 1,
      })
      .execute();
  }
}
