import { graphql } from "./graphql-tag.js";

/** One collection job and its per-provider parts (each a Node of its own). */
export const CollectionJobCardFragment = graphql`
  fragment CollectionJobCard_job on CollectionJob @refetchable(queryName: "CollectionJobCardRefetchQuery") {
    id
    status
    period {
      start
      end
    }
    providers {
      id
      provider
      status
      recordsWritten
      error {
        code
        message
      }
    }
    finishedAt
  }
`;
