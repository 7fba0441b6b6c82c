import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useEffect,
  useRef,
} from "react";

/**
 * The one form-error pattern (issue 15): each field shows its own message
 * beside it (red, aria-invalid, aria-describedby) but announces nothing; the
 * ErrorSummary at the top of the form is the only live region. After a failed
 * submit it takes focus, so a phone scrolls to it and a screen reader reads it,
 * and it lists each error as a link to its field. A field's id is its name
 * (a radio or checkbox group's first input carries the group's name), so the
 * summary can link to it from the errors alone.
 */

export type FieldErrorMap = Record<string, string | undefined>;

/** The line at the top of the summary when an action says nothing more specific. */
export const CHECK_INPUT = "入力内容をご確認ください。";

/** Brings a field into view and puts the cursor in it (the summary's links). */
function focusField(id: string) {
  const target = document.getElementById(id);
  if (!target) return false;
  const control = target.matches("input, select, textarea, button")
    ? target
    : target.querySelector<HTMLElement>("input, select, textarea");
  const label =
    document.querySelector(`label[for="${CSS.escape(id)}"]`) ??
    target.closest("fieldset")?.querySelector("legend");
  (label ?? target).scrollIntoView({ block: "start" });
  (control ?? target).focus({ preventScroll: true });
  return true;
}

/**
 * The failed submit's one announcement: a title line (the refusal's own
 * message, or 「入力内容をご確認ください。」) and a link to each field in error.
 * Renders nothing while there is neither.
 */
export function ErrorSummary(props: {
  message?: string;
  errors?: FieldErrorMap;
  id?: string;
  /** the refusal's error code (errors.server.ts), kept on the summary for scripts and tests */
  code?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const fields = Object.entries(props.errors ?? {}).filter(
    (entry): entry is [string, string] => entry[0] !== "_form" && Boolean(entry[1]),
  );
  const title = props.message ?? props.errors?._form ?? (fields.length ? CHECK_INPUT : undefined);
  // A new answer from the server is a new object: focus follows each failed submit
  // (an empty map, which some pages make afresh on each render, is no answer).
  const answerKey = props.errors && Object.keys(props.errors).length > 0 ? props.errors : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus on each new answer, not each render
  useEffect(() => {
    if (title) ref.current?.focus();
  }, [answerKey, props.message]);
  if (!title) return null;
  return (
    <div
      className="notice notice--error error-summary"
      role="alert"
      tabIndex={-1}
      ref={ref}
      id={props.id ?? "error-summary"}
      data-code={props.code}
      aria-labelledby={`${props.id ?? "error-summary"}-title`}
    >
      <p className="error-summary__title" id={`${props.id ?? "error-summary"}-title`}>
        {title}
      </p>
      {fields.length > 0 ? (
        <ul className="error-summary__list">
          {fields
            .filter(([, message]) => message !== title)
            .map(([name, message]) => (
              <li key={name}>
                <a
                  href={`#${name}`}
                  onClick={(event) => {
                    if (focusField(name)) event.preventDefault();
                  }}
                >
                  {message}
                </a>
              </li>
            ))}
        </ul>
      ) : null}
    </div>
  );
}

function Mark(props: { required?: boolean }) {
  return props.required ? (
    <span className="required">必須</span>
  ) : (
    <span className="optional">任意</span>
  );
}

/** A field's own message: shown beside it, tied by id, never a second alert. */
export function FieldError(props: { id: string; message?: string }) {
  return props.message ? (
    <p className="error" id={`${props.id}-error`}>
      {props.message}
    </p>
  ) : null;
}

/** A labelled form field with its hint and its Japanese error message beside it. */
export function Field(props: {
  id: string;
  label: string;
  required?: boolean;
  hint?: string;
  error?: string;
  children: ReactNode;
}) {
  return (
    <div className={`field${props.error ? " field--error" : ""}`}>
      <label htmlFor={props.id}>
        {props.label}
        <Mark required={props.required} />
      </label>
      {props.hint ? (
        <p className="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.children}
      <FieldError id={props.id} message={props.error} />
    </div>
  );
}

/** aria attributes that tie an input to its hint and error. */
export function describedBy(id: string, error?: string, hint?: string) {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": ids || undefined,
  } as const;
}

type Common = { name: string; label: string; required?: boolean; hint?: string; error?: string };

/**
 * A text input with its label, hint and error. `type` says what is wanted
 * (email, tel, text…), and so which keyboard a phone shows.
 */
export function TextField(
  props: Common & {
    type?: "text" | "email" | "tel" | "date" | "password" | "url" | "number" | "search";
  } & Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "type" | "id" | "required">,
) {
  const { name, label, required, hint, error, type = "text", ...rest } = props;
  return (
    <Field id={name} label={label} required={required} hint={hint} error={error}>
      <input
        {...rest}
        {...describedBy(name, error, hint)}
        type={type}
        name={name}
        required={required}
      />
    </Field>
  );
}

export function TextAreaField(
  props: Common & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "name" | "id" | "required">,
) {
  const { name, label, required, hint, error, ...rest } = props;
  return (
    <Field id={name} label={label} required={required} hint={hint} error={error}>
      <textarea {...rest} {...describedBy(name, error, hint)} name={name} required={required} />
    </Field>
  );
}

export function SelectField(
  props: Common & {
    options: { value: string | number; label: string }[];
    /** the first, empty choice (「選択してください」); none when the field always has a value */
    placeholder?: string;
  } & Omit<SelectHTMLAttributes<HTMLSelectElement>, "name" | "id" | "required">,
) {
  const { name, label, required, hint, error, options, placeholder, ...rest } = props;
  return (
    <Field id={name} label={label} required={required} hint={hint} error={error}>
      <select {...rest} {...describedBy(name, error, hint)} name={name} required={required}>
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/**
 * A group of radio buttons or checkboxes (分科会, sessions, an event's
 * questions): one legend, each choice a large tap target, and, when in
 * error, the red outline and aria-invalid on the group and on every choice.
 * The first choice carries the group's name as its id, for the summary's link.
 */
export function ChoiceGroup(props: {
  name: string;
  legend: ReactNode;
  type: "radio" | "checkbox";
  required?: boolean;
  /** no 必須/任意 mark (a group of choices that are each their own yes/no) */
  unmarked?: boolean;
  hint?: ReactNode;
  error?: string;
  options: {
    value: string | number;
    label: ReactNode;
    defaultChecked?: boolean;
    disabled?: boolean;
    /** a different name than the group's (a fixed, disabled choice sends none) */
    name?: string | null;
  }[];
}) {
  const { name, error } = props;
  const describe =
    [props.hint ? `${name}-hint` : "", error ? `${name}-error` : ""].filter(Boolean).join(" ") ||
    undefined;
  return (
    <fieldset
      className={`choice-group${error ? " choice-group--error" : ""}`}
      role={props.type === "radio" ? "radiogroup" : "group"}
      aria-invalid={error && props.type === "radio" ? true : undefined}
      aria-describedby={describe}
      data-field={name}
    >
      <legend>
        {props.legend}
        {props.unmarked ? null : <Mark required={props.required} />}
      </legend>
      {props.hint ? (
        <p className="hint small muted" id={`${name}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.options.map((o, i) => (
        <label key={o.value} className={`choice${o.disabled ? " choice--disabled" : ""}`}>
          <input
            id={i === 0 ? name : undefined}
            type={props.type}
            name={o.name === null ? undefined : (o.name ?? name)}
            value={o.value}
            defaultChecked={o.defaultChecked}
            disabled={o.disabled}
            required={props.type === "radio" ? props.required : undefined}
            aria-invalid={error && !o.disabled ? true : undefined}
            aria-describedby={error && !o.disabled ? `${name}-error` : undefined}
          />
          <span>{o.label}</span>
        </label>
      ))}
      <FieldError id={name} message={error} />
    </fieldset>
  );
}

/** A refusal or failed submit: the error summary (see ErrorSummary). */
export function FormError(props: { message?: string; errors?: FieldErrorMap; code?: string }) {
  return <ErrorSummary message={props.message} errors={props.errors} code={props.code} />;
}

/** What an action answered: a green status line when it worked, else the error summary. */
export function ActionResult({
  result,
}: {
  result?: { ok: boolean; message?: string; errors?: FieldErrorMap; code?: string };
}) {
  if (!result) return null;
  if (!result.ok)
    return <ErrorSummary message={result.message} errors={result.errors} code={result.code} />;
  if (!result.message) return null;
  return (
    <p className="notice notice--ok" role="status">
      {result.message}
    </p>
  );
}
