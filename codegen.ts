// GraphQL Code Generator: the typed TypeScript client and the trusted-documents manifest (`make codegen`).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["queries/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "clients/typescript/": {
      preset: "client",
      presetConfig: {
        // persisted-documents.json: { "<sha256 of the document as sent>": "<document>" }.
        persistedDocuments: { hashAlgorithm: "sha256" },
        fragmentMasking: false,
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { ID: "string" },
      },
    },
  },
};

export default config;
