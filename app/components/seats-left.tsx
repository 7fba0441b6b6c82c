/** 残り N 席, in amber when few, red when none. */
export function SeatsLeft({ left }: { left: number | null }) {
  if (left === null) return <span className="seats">定員なし</span>;
  if (left === 0) return <span className="seats seats--full">満席(キャンセル待ち)</span>;
  return <span className={`seats${left <= 5 ? " seats--few" : ""}`}>{`残り${left}席`}</span>;
}
