/**
 * The words of 専門部会 (working groups) that pages, emails and the domain
 * share: answers, places and how a group or a meeting is named. A plain
 * module, so the server never imports a React component for them.
 */

export const RSVP_LABELS = { yes: "出席", no: "欠席", maybe: "未定" } as const;
export type RsvpAnswer = keyof typeof RSVP_LABELS;

export const PLACE_KIND_LABELS = { room: "会議室", zoom: "ZOOM", site: "現地調査" } as const;

/** 「第1専門部会「地域創生」」 */
export function groupTitle(group: { name: string; theme: string }): string {
  return group.theme ? `${group.name}「${group.theme}」` : group.name;
}

/** 「第1専門部会 第14回」, or the group's name alone for an unnumbered meeting. */
export function meetingNumberLabel(group: { name: string }, number: number | null): string {
  return number === null ? group.name : `${group.name} 第${number}回`;
}

/** Where a meeting is, as a notice would say it: 「ZOOM」, 「現地調査: 飯舘村役場」. */
export function placeText(m: { place_kind: keyof typeof PLACE_KIND_LABELS; place_name: string }) {
  if (m.place_kind === "zoom") return "ZOOM(オンライン)";
  if (m.place_kind === "site") {
    return m.place_name && m.place_name !== "現地調査" ? `現地調査: ${m.place_name}` : "現地調査";
  }
  return m.place_name;
}
