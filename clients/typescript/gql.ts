/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation AcceptInvite($input: RespondToInviteInput!) {\n  acceptInvite(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    success\n    creator {\n      id\n      igId\n    }\n  }\n}": typeof types.AcceptInviteDocument,
    "query BrandPermissions($brandId: ID!, $first: Int, $after: String, $last: Int, $before: String, $status: PermissionStatus, $creatorUsername: String) {\n  brand(igId: $brandId) {\n    id\n    igId\n    permissions(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      status: $status\n      creatorUsername: $creatorUsername\n    ) {\n      edges {\n        cursor\n        node {\n          id\n          graphId\n          status\n          rawStatus\n          creator {\n            id\n            igId\n            username\n            facebookPageId\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}": typeof types.BrandPermissionsDocument,
    "query CreatorInvites($creatorId: ID!, $first: Int = 10, $after: String) {\n  creator(igId: $creatorId) {\n    id\n    igId\n    invites(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          mediaId\n          mediaOwnerUsername\n          caption\n          mediaUrl\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}": typeof types.CreatorInvitesDocument,
    "mutation DeclineInvite($input: RespondToInviteInput!) {\n  declineInvite(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    success\n    creator {\n      id\n      igId\n    }\n  }\n}": typeof types.DeclineInviteDocument,
    "query Node($id: ID!) {\n  node(id: $id) {\n    __typename\n    id\n    ... on Permission {\n      graphId\n      status\n      brand {\n        id\n        igId\n      }\n    }\n    ... on Invite {\n      mediaId\n      mediaOwnerUsername\n    }\n    ... on Brand {\n      igId\n    }\n    ... on Creator {\n      igId\n    }\n  }\n}": typeof types.NodeDocument,
    "query RateLimit {\n  rateLimit {\n    appCallCount\n    appTotalTime\n    appTotalCputime\n    businessUseCase {\n      businessId\n      type\n      callCount\n      totalCputime\n      totalTime\n      estimatedTimeToRegainAccess\n    }\n    invitesRead {\n      igUserId\n      limit\n      used\n      remaining\n      resetsInSeconds\n    }\n    invitesWrite {\n      igUserId\n      limit\n      used\n      remaining\n    }\n  }\n}": typeof types.RateLimitDocument,
    "mutation RequestPermission($input: RequestPermissionInput!) {\n  requestPermission(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    permission {\n      id\n      graphId\n      status\n      creator {\n        id\n        igId\n        username\n      }\n    }\n    brand {\n      id\n      igId\n    }\n  }\n}": typeof types.RequestPermissionDocument,
    "mutation RequestPermissions($input: RequestPermissionsInput!) {\n  requestPermissions(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    permissions {\n      id\n      graphId\n      status\n      creator {\n        id\n        igId\n        username\n      }\n    }\n    brand {\n      id\n      igId\n    }\n  }\n}": typeof types.RequestPermissionsDocument,
    "mutation RevokePermission($input: RevokePermissionInput!) {\n  revokePermission(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    permission {\n      id\n      graphId\n      status\n    }\n    brand {\n      id\n    }\n  }\n}": typeof types.RevokePermissionDocument,
};
const documents: Documents = {
    "mutation AcceptInvite($input: RespondToInviteInput!) {\n  acceptInvite(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    success\n    creator {\n      id\n      igId\n    }\n  }\n}": types.AcceptInviteDocument,
    "query BrandPermissions($brandId: ID!, $first: Int, $after: String, $last: Int, $before: String, $status: PermissionStatus, $creatorUsername: String) {\n  brand(igId: $brandId) {\n    id\n    igId\n    permissions(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      status: $status\n      creatorUsername: $creatorUsername\n    ) {\n      edges {\n        cursor\n        node {\n          id\n          graphId\n          status\n          rawStatus\n          creator {\n            id\n            igId\n            username\n            facebookPageId\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}": types.BrandPermissionsDocument,
    "query CreatorInvites($creatorId: ID!, $first: Int = 10, $after: String) {\n  creator(igId: $creatorId) {\n    id\n    igId\n    invites(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          mediaId\n          mediaOwnerUsername\n          caption\n          mediaUrl\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}": types.CreatorInvitesDocument,
    "mutation DeclineInvite($input: RespondToInviteInput!) {\n  declineInvite(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    success\n    creator {\n      id\n      igId\n    }\n  }\n}": types.DeclineInviteDocument,
    "query Node($id: ID!) {\n  node(id: $id) {\n    __typename\n    id\n    ... on Permission {\n      graphId\n      status\n      brand {\n        id\n        igId\n      }\n    }\n    ... on Invite {\n      mediaId\n      mediaOwnerUsername\n    }\n    ... on Brand {\n      igId\n    }\n    ... on Creator {\n      igId\n    }\n  }\n}": types.NodeDocument,
    "query RateLimit {\n  rateLimit {\n    appCallCount\n    appTotalTime\n    appTotalCputime\n    businessUseCase {\n      businessId\n      type\n      callCount\n      totalCputime\n      totalTime\n      estimatedTimeToRegainAccess\n    }\n    invitesRead {\n      igUserId\n      limit\n      used\n      remaining\n      resetsInSeconds\n    }\n    invitesWrite {\n      igUserId\n      limit\n      used\n      remaining\n    }\n  }\n}": types.RateLimitDocument,
    "mutation RequestPermission($input: RequestPermissionInput!) {\n  requestPermission(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    permission {\n      id\n      graphId\n      status\n      creator {\n        id\n        igId\n        username\n      }\n    }\n    brand {\n      id\n      igId\n    }\n  }\n}": types.RequestPermissionDocument,
    "mutation RequestPermissions($input: RequestPermissionsInput!) {\n  requestPermissions(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    permissions {\n      id\n      graphId\n      status\n      creator {\n        id\n        igId\n        username\n      }\n    }\n    brand {\n      id\n      igId\n    }\n  }\n}": types.RequestPermissionsDocument,
    "mutation RevokePermission($input: RevokePermissionInput!) {\n  revokePermission(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    permission {\n      id\n      graphId\n      status\n    }\n    brand {\n      id\n    }\n  }\n}": types.RevokePermissionDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AcceptInvite($input: RespondToInviteInput!) {\n  acceptInvite(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    success\n    creator {\n      id\n      igId\n    }\n  }\n}"): (typeof documents)["mutation AcceptInvite($input: RespondToInviteInput!) {\n  acceptInvite(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    success\n    creator {\n      id\n      igId\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query BrandPermissions($brandId: ID!, $first: Int, $after: String, $last: Int, $before: String, $status: PermissionStatus, $creatorUsername: String) {\n  brand(igId: $brandId) {\n    id\n    igId\n    permissions(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      status: $status\n      creatorUsername: $creatorUsername\n    ) {\n      edges {\n        cursor\n        node {\n          id\n          graphId\n          status\n          rawStatus\n          creator {\n            id\n            igId\n            username\n            facebookPageId\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}"): (typeof documents)["query BrandPermissions($brandId: ID!, $first: Int, $after: String, $last: Int, $before: String, $status: PermissionStatus, $creatorUsername: String) {\n  brand(igId: $brandId) {\n    id\n    igId\n    permissions(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      status: $status\n      creatorUsername: $creatorUsername\n    ) {\n      edges {\n        cursor\n        node {\n          id\n          graphId\n          status\n          rawStatus\n          creator {\n            id\n            igId\n            username\n            facebookPageId\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CreatorInvites($creatorId: ID!, $first: Int = 10, $after: String) {\n  creator(igId: $creatorId) {\n    id\n    igId\n    invites(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          mediaId\n          mediaOwnerUsername\n          caption\n          mediaUrl\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}"): (typeof documents)["query CreatorInvites($creatorId: ID!, $first: Int = 10, $after: String) {\n  creator(igId: $creatorId) {\n    id\n    igId\n    invites(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          mediaId\n          mediaOwnerUsername\n          caption\n          mediaUrl\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeclineInvite($input: RespondToInviteInput!) {\n  declineInvite(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    success\n    creator {\n      id\n      igId\n    }\n  }\n}"): (typeof documents)["mutation DeclineInvite($input: RespondToInviteInput!) {\n  declineInvite(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    success\n    creator {\n      id\n      igId\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Node($id: ID!) {\n  node(id: $id) {\n    __typename\n    id\n    ... on Permission {\n      graphId\n      status\n      brand {\n        id\n        igId\n      }\n    }\n    ... on Invite {\n      mediaId\n      mediaOwnerUsername\n    }\n    ... on Brand {\n      igId\n    }\n    ... on Creator {\n      igId\n    }\n  }\n}"): (typeof documents)["query Node($id: ID!) {\n  node(id: $id) {\n    __typename\n    id\n    ... on Permission {\n      graphId\n      status\n      brand {\n        id\n        igId\n      }\n    }\n    ... on Invite {\n      mediaId\n      mediaOwnerUsername\n    }\n    ... on Brand {\n      igId\n    }\n    ... on Creator {\n      igId\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query RateLimit {\n  rateLimit {\n    appCallCount\n    appTotalTime\n    appTotalCputime\n    businessUseCase {\n      businessId\n      type\n      callCount\n      totalCputime\n      totalTime\n      estimatedTimeToRegainAccess\n    }\n    invitesRead {\n      igUserId\n      limit\n      used\n      remaining\n      resetsInSeconds\n    }\n    invitesWrite {\n      igUserId\n      limit\n      used\n      remaining\n    }\n  }\n}"): (typeof documents)["query RateLimit {\n  rateLimit {\n    appCallCount\n    appTotalTime\n    appTotalCputime\n    businessUseCase {\n      businessId\n      type\n      callCount\n      totalCputime\n      totalTime\n      estimatedTimeToRegainAccess\n    }\n    invitesRead {\n      igUserId\n      limit\n      used\n      remaining\n      resetsInSeconds\n    }\n    invitesWrite {\n      igUserId\n      limit\n      used\n      remaining\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RequestPermission($input: RequestPermissionInput!) {\n  requestPermission(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    permission {\n      id\n      graphId\n      status\n      creator {\n        id\n        igId\n        username\n      }\n    }\n    brand {\n      id\n      igId\n    }\n  }\n}"): (typeof documents)["mutation RequestPermission($input: RequestPermissionInput!) {\n  requestPermission(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    permission {\n      id\n      graphId\n      status\n      creator {\n        id\n        igId\n        username\n      }\n    }\n    brand {\n      id\n      igId\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RequestPermissions($input: RequestPermissionsInput!) {\n  requestPermissions(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    permissions {\n      id\n      graphId\n      status\n      creator {\n        id\n        igId\n        username\n      }\n    }\n    brand {\n      id\n      igId\n    }\n  }\n}"): (typeof documents)["mutation RequestPermissions($input: RequestPermissionsInput!) {\n  requestPermissions(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    permissions {\n      id\n      graphId\n      status\n      creator {\n        id\n        igId\n        username\n      }\n    }\n    brand {\n      id\n      igId\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RevokePermission($input: RevokePermissionInput!) {\n  revokePermission(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    permission {\n      id\n      graphId\n      status\n    }\n    brand {\n      id\n    }\n  }\n}"): (typeof documents)["mutation RevokePermission($input: RevokePermissionInput!) {\n  revokePermission(input: $input) {\n    clientMutationId\n    userErrors {\n      field\n      message\n      code\n    }\n    permission {\n      id\n      graphId\n      status\n    }\n    brand {\n      id\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;