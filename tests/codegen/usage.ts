// A frontend's use of the generated TypeScript client: typed variables in, typed data out.
// tests/codegen/test_typescript.py type-checks it (and the client) with `tsc --strict`.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";

import {
  BrandPermissionsDocument,
  type BrandPermissionsQuery,
  NodeDocument,
  type PermissionStatus,
  RequestPermissionDocument,
} from "../../clients/typescript/graphql";

type Answer<Result> = { data?: Result | null; errors?: { message: string }[] };

/** POST one generated document to partnergraph and return its typed data. */
export async function execute<Result, Variables>(
  endpoint: string,
  token: string,
  document: TypedDocumentNode<Result, Variables>,
  variables: NoInfer<Variables>,
): Promise<Result> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const answer = (await response.json()) as Answer<Result>;
  if (answer.errors?.length || answer.data == null) {
    throw new Error(answer.errors?.[0]?.message ?? `HTTP ${response.status}`);
  }
  return answer.data;
}

/** Every approved creator of a brand, a page at a time. */
export async function approvedCreators(endpoint: string, token: string, brandId: string) {
  const usernames: string[] = [];
  let after: string | null = null;
  do {
    const page: BrandPermissionsQuery = await execute(endpoint, token, BrandPermissionsDocument, {
      brandId,
      first: 100,
      after,
      status: "APPROVED",
    });
    const { edges, pageInfo } = page.brand.permissions;
    usernames.push(...edges.map((edge) => edge.node.creator.username ?? edge.node.creator.igId));
    after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
  } while (after !== null);
  return usernames;
}

/** Ask a creator by username; the payload's status, or the user errors' codes. */
export async function request(endpoint: string, token: string, brandId: string, username: string) {
  const { requestPermission } = await execute(endpoint, token, RequestPermissionDocument, {
    input: { brandId, creatorUsername: username },
  });
  const status: PermissionStatus | undefined = requestPermission?.permission?.status;
  return status ?? requestPermission?.userErrors.map((error) => error.code).join(", ");
}

/** A node's type, narrowed by its `__typename`. */
export async function describe(endpoint: string, token: string, id: string) {
  const { node } = await execute(endpoint, token, NodeDocument, { id });
  if (node?.__typename === "Permission") {
    return `permission ${node.graphId} (${node.status}) of brand ${node.brand.igId}`;
  }
  return node?.__typename ?? "nothing";
}

/** What the generated types turn away: each line below must be a type error. */
export function mistakes(endpoint: string, token: string) {
  // @ts-expect-error `brandId` is required.
  void execute(endpoint, token, BrandPermissionsDocument, { first: 10 });
  // @ts-expect-error not a PermissionStatus.
  void execute(endpoint, token, BrandPermissionsDocument, { brandId: "1", status: "ACCEPTED" });
  return (page: BrandPermissionsQuery) => {
    // @ts-expect-error the operation does not select the creator's `facebookPageName`.
    return page.brand.permissions.edges[0]?.node.creator.facebookPageName;
  };
}
