// Runs graphql-http's GraphQL-over-HTTP server audit against the URL given and prints each
// result as one JSON array: [{id, name, status, reason}], status "ok", "error", "warn" or "notice".
import { serverAudits } from "graphql-http";

const url = process.argv[2];
const results = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const { id, name, status, reason } = await audit.fn();
  results.push({ id, name, status, reason: reason ?? null });
}
process.stdout.write(JSON.stringify(results));
