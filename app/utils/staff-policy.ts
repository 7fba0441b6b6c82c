/**
 * The numbers of the staff account rules, shared by the domain and the pages
 * (which show them), so they live outside any .server module.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;
/** how long an invitation's link works */
export const INVITE_HOURS = 72;
/** how long a forgotten password's reset link works */
export const RESET_MINUTES = 60;
/** how long the link of `npm run admin:create` works */
export const FIRST_ADMIN_HOURS = 24;
