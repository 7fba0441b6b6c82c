import type { Database } from "../../db/index";
import type { Env } from "../env.server";
import { deliverWebhook } from "./webhooks.server";
import { PURGE_CRONTAB, runRetention } from "./privacy.server";
import { sendDueReminders } from "./reminders.server";

/**
 * The app's background jobs besides email: the day-before reminders, webhook
 * deliveries and the retention purge, with their schedule. One list for
 * `npm start` and `npm run start:prod`, so a node of either kind runs the
 * same work (graphile-worker runs each cron item once across all nodes).
 */
export function appJobs(db: Database, env: Env) {
  return {
    crontab: `5 * * * * send_reminders\n${PURGE_CRONTAB}`,
    tasks: {
      send_reminders: () => sendDueReminders(db, { appUrl: env.APP_URL }),
      deliver_webhook: (payload: unknown) =>
        deliverWebhook(db, payload, { allowPrivate: env.WEBHOOK_ALLOW_PRIVATE }),
      purge_personal_data: () => runRetention(db),
    },
  };
}
