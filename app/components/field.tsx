import type { ReactNode } from "react";

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
        {props.required ? (
          <span className="required">必須</span>
        ) : (
          <span className="optional">任意</span>
        )}
      </label>
      {props.hint ? (
        <p className="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.children}
      {props.error ? (
        <p className="error" id={`${props.id}-error`} role="alert">
          {props.error}
        </p>
      ) : null}
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

export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div className="notice notice--error" role="alert">
      {message}
    </div>
  );
}

/** What an action answered: a green status line when it worked, else the error box. */
export function ActionResult({ result }: { result?: { ok: boolean; message?: string } }) {
  if (!result?.message) return null;
  if (!result.ok) return <FormError message={result.message} />;
  return (
    <p className="notice notice--ok" role="status">
      {result.message}
    </p>
  );
}
