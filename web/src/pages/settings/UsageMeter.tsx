import { formatUsage, usageRatio, WARNING_RATIO } from "../../format";

/** One quota as "50 MB / 100 MB" with a meter that turns amber at 80 % and red when full. */
export function UsageMeter({ label, used, limit, unit }: { label: string; used: number; limit: number | null; unit?: string }) {
  const ratio = usageRatio(used, limit);
  const id = `meter-${label.toLowerCase().replace(/\W+/g, "-")}`;
  const text = formatUsage(used, limit, unit);
  return (
    <div className="usage">
      <div className="usage-line">
        <span id={id}>{label}</span>
        <span className="usage-figures" data-testid={id}>
          {text}
        </span>
      </div>
      {ratio != null && (
        <meter
          aria-labelledby={id}
          aria-valuetext={text}
          min={0}
          max={1}
          low={WARNING_RATIO}
          high={0.99}
          optimum={0}
          value={Math.min(1, ratio)}
        />
      )}
    </div>
  );
}
