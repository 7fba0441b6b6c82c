import { describeAudit } from "../../app/utils/audit-labels";

describe("the audit log in words", () => {
  it("a check-in is 「受付 佐藤 花子(受付A)」, with its list and whether it was made offline", () => {
    const said = describeAudit({
      entity: "checkin",
      entity_id: "5",
      action: "checkin",
      detail: { list_id: 3, registration_id: "42", desk: "受付A", offline: true },
      subject_name: "佐藤 花子",
      list_name: "受付(全体)",
    });
    expect(said.summary).toBe("受付 佐藤 花子(受付A)");
    expect(said.details).toEqual(["リスト: 受付(全体)", "オフラインで受付(後から送信)"]);
  });

  it("an event closed, a capacity changed and a download say what changed, never raw keys", () => {
    expect(
      describeAudit({
        entity: "event",
        entity_id: "1",
        action: "closed",
        detail: { from: "published", notified: 0 },
      }),
    ).toMatchObject({ action: "申込受付の終了", details: ["変更前: 公開中", "0名にメールで通知"] });
    expect(
      describeAudit({
        entity: "course",
        entity_id: "9",
        action: "capacity",
        detail: { from: 30, to: null },
      }).details,
    ).toEqual(["定員: 30名 → なし"]);
    const download = describeAudit({
      entity: "export",
      entity_id: "1",
      action: "export",
      detail: { format: "csv", rows: 120, completed: false, filter: { status: "confirmed" } },
    });
    expect(download.action).toBe("ファイルのダウンロード");
    expect(download.details).toEqual(["件数: 120件", "形式: csv", "途中で中断"]);
  });

  it("an action it does not know still reads as Japanese, not as its code", () => {
    const said = describeAudit({
      entity: "registration",
      entity_id: "1",
      action: "teleport",
      detail: {},
    });
    expect(said.action).toBe("申込の操作");
    expect(said.summary).not.toMatch(/[a-z]/);
  });
});
