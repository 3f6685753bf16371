import { graphql } from "./graphql-tag.js";

/** A client's collection jobs, paged both ways (first/after and last/before). */
export const ClientJobsFragment = graphql`
  fragment ClientJobs_client on Client
  @refetchable(queryName: "ClientJobsPaginationQuery")
  @argumentDefinitions(
    first: { type: "Int", defaultValue: 10 }
    after: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
  ) {
    id
    collectionJobs(first: $first, after: $after, last: $last, before: $before)
      @connection(key: "ClientJobs_collectionJobs") {
      totalCount
      edges {
        node {
          id
          ...CollectionJobCard_job
        }
      }
    }
  }
`;
