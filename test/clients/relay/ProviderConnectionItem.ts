import { graphql } from "./graphql-tag.js";

/** A client's link to one cloud (not a Relay connection), refetched by its Node id. */
export const ProviderConnectionItemFragment = graphql`
  fragment ProviderConnectionItem_connection on ProviderConnection
  @refetchable(queryName: "ProviderConnectionItemRefetchQuery") {
    id
    provider
    health
    credentialSummary
    lastHealthCheckAt
  }
`;
