import {
  Button,
  EmailLayout,
  type Fact,
  FactsTable,
  factsText,
  footerText,
  styles,
} from "./layout";
import type { RecruitmentResultEmail } from "./types";

/** The result of a 専門部会員募集, for every applicant: assigned, or not this time. */

function lead(email: RecruitmentResultEmail): string[] {
  if (email.assignedGroup) {
    return [
      `${email.roundTitle}にご応募いただき、ありがとうございました。`,
      `選考の結果、${email.assignedGroup}の部会員としてご参加いただくことになりました。`,
      "会合の日程は決まりしだいメールでお知らせします。よろしくお願いします。",
    ];
  }
  return [
    `${email.roundTitle}にご応募いただき、ありがとうございました。`,
    "応募多数のため、今回は部会員としてのご参加をお願いすることができませんでした。申し訳ありません。",
    "専門部会員の募集は1年おきに行っています。次回の募集にも、ぜひご応募ください。",
  ];
}

function facts(email: RecruitmentResultEmail): Fact[] {
  return [
    { label: "募集", lines: [email.roundTitle] },
    {
      label: "ご希望",
      lines: email.choices.map((choice, i) => `第${i + 1}希望 ${choice}`),
    },
    { label: "結果", lines: [email.assignedGroup ?? "今回は見送り"] },
  ];
}

export function RecruitmentResultHtml(props: {
  email: RecruitmentResultEmail;
  subject: string;
  appUrl: string;
}) {
  const { email } = props;
  return (
    <EmailLayout subject={props.subject} preheader={lead(email)[1] ?? ""} appUrl={props.appUrl}>
      <p style={styles.paragraph}>{email.name} 様</p>
      {lead(email).map((line) => (
        <p key={line} style={styles.paragraph}>
          {line}
        </p>
      ))}
      <FactsTable facts={facts(email)} />
      <Button href={email.groupUrl}>
        {email.assignedGroup ? "専門部会のページを開く" : "専門部会の一覧を見る"}
      </Button>
    </EmailLayout>
  );
}

export function recruitmentResultText(props: {
  email: RecruitmentResultEmail;
  appUrl: string;
}): string {
  const { email } = props;
  return [
    `${email.name} 様`,
    lead(email).join("\n"),
    factsText(facts(email)),
    `■ ${email.assignedGroup ? "専門部会のページ" : "専門部会の一覧"}\n${email.groupUrl}`,
    footerText(props.appUrl),
  ].join("\n\n");
}
