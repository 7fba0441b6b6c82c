import { type Kysely, sql } from "kysely";

/**
 * The event's word for what a registrant chooses: 分科会, コース or チーム. It
 * is said once, on the event, and every page, error, email, export and the
 * desk use it (courseWord in app/utils/labels.ts). Online seminars have
 * always called theirs コース; every other event 分科会.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table events add column course_word text not null default '分科会'
    constraint events_course_word_check check (course_word in ('分科会', 'コース', 'チーム'))`.execute(
    db,
  );
  await sql`update events set course_word = 'コース' where kind = 'online_seminar'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table events drop column course_word`.execute(db);
}
