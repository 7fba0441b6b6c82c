import { type Kysely, sql } from "kysely";

/**
 * Personal data under the APPI (issue 17, docs/decisions/019-personal-data.md):
 * the privacy notice and its versions, consent on each registration (the
 * notice's version, and a separate consent for needs, 要配慮個人情報), an
 * event's own purposes, sign-in history, account deletion and retention.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table privacy_notices (
    version integer primary key,
    body text not null,
    published_at timestamptz not null default now(),
    published_by bigint references people(id) on delete set null
  )`.execute(db);
  await sql`insert into privacy_notices (version, body) values (1, ${INITIAL_NOTICE})`.execute(db);

  await sql`alter table events add column privacy_purposes text not null default ''`.execute(db);

  await sql`alter table registrations
    add column consent_version integer references privacy_notices(version),
    add column consented_at timestamptz,
    add column needs_consented_at timestamptz,
    add column consent_attested_by bigint references people(id) on delete set null,
    add column personal_data_removed_at timestamptz`.execute(db);

  await sql`alter table people add column deleted_at timestamptz`.execute(db);

  await sql`create table sign_ins (
    id bigserial primary key,
    person_id bigint not null references people(id) on delete cascade,
    at timestamptz not null default now(),
    method text not null
  )`.execute(db);
  await sql`create index sign_ins_person_idx on sign_ins (person_id, at desc)`.execute(db);

  await sql`create table privacy_settings (
    id integer primary key default 1 check (id = 1),
    answers_months integer not null default 6 check (answers_months between 1 and 120),
    inactive_months integer not null default 36 check (inactive_months between 1 and 240),
    updated_at timestamptz not null default now(),
    updated_by bigint references people(id) on delete set null
  )`.execute(db);
  await sql`insert into privacy_settings (id) values (1)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table privacy_settings`.execute(db);
  await sql`drop table sign_ins`.execute(db);
  await sql`alter table people drop column deleted_at`.execute(db);
  await sql`alter table registrations
    drop column consent_version,
    drop column consented_at,
    drop column needs_consented_at,
    drop column consent_attested_by,
    drop column personal_data_removed_at`.execute(db);
  await sql`alter table events drop column privacy_purposes`.execute(db);
  await sql`drop table privacy_notices`.execute(db);
}

/** The first version; an administrator replaces it at /admin/privacy. */
const INITIAL_NOTICE = `自治研イベント 個人情報の取扱いについて

1. 取得する情報
氏名・フリガナ、メールアドレス、所属単組・職場、電話番号、生年月日(年齢制限のあるイベントのみ)、イベントへの申込内容(コース・分科会、日程、設問への回答)、食事の配慮・配慮が必要なこと、受付(チェックイン)の記録、専門部会の出欠、提出されたレポート、ログインの記録。

2. 利用目的
・イベントの申込受付、参加者の確認、受付、当日の運営、資料の提供、連絡
・参加者数など、個人を特定しない統計の作成
・専門部会の運営と出欠の管理

3. 要配慮個人情報について
食事の配慮(アレルギー等)や配慮が必要なこと(車いす・手話通訳等)は、健康状態等に関わる要配慮個人情報となる場合があります。ご本人の明示的な同意がある場合に限り取得し、そのイベントの主催者が当日の配慮のためにのみ利用します。受付では、受付中のご本人の分のみ表示します。

4. 第三者提供
法令に基づく場合を除き、ご本人の同意なく第三者に提供しません。イベントごとに追加の利用目的(開催地の県本部への名簿の共有、写真撮影など)がある場合は、申込画面に表示し、同意をいただいたうえで取り扱います。

5. 保存期間
設問への回答と配慮事項は、イベント終了後、管理者が定める期間(既定6か月)を過ぎると削除します。一定期間(既定36か月)利用のないアカウントは削除します。参加者数の統計は個人を特定できない形で残ります。

6. 開示・削除
マイページの「わたしのデータ」から、保有する情報の確認・ダウンロード(JSON・CSV)と、アカウントの削除ができます。

7. 安全管理
名簿のダウンロード・取り込み・APIでの取得は、誰が・いつ・どのイベントの・何件を取得したかを記録します。

8. お問い合わせ
自治労福島県本部 自治研担当までご連絡ください。`;
