// `--measurement register=hexdigest` (repeatable) as the API's measurements object.
import { UsageError } from 'clipanion';

export function parseMeasurements(pairs: string[]): Record<string, string> {
  const measurements: Record<string, string> = {};
  for (const pair of pairs) {
    const [register, value] = pair.split('=', 2);
    if (!register || !value) throw new UsageError(`--measurement ${pair} must look like register=hexdigest`);
    measurements[register] = value;
  }
  return measurements;
}
