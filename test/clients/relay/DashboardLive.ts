import { graphql } from "./graphql-tag.js";

/** Live updates carry the fragments of the views they update, and a mutation answers with one. */
export const DashboardLiveCostsSubscription = graphql`
  subscription DashboardLiveCostsSubscription($clientId: ID!) {
    costRecordChanged(clientId: $clientId) {
      changeType
      record {
        ...CostRecordRow_record
      }
    }
  }
`;

export const DashboardLiveJobsSubscription = graphql`
  subscription DashboardLiveJobsSubscription($clientId: ID!) {
    collectionJobUpdated(clientId: $clientId) {
      ...CollectionJobCard_job
    }
  }
`;

export const DashboardLiveConnectMutation = graphql`
  mutation DashboardLiveConnectMutation($input: ConnectProviderInput!) {
    connectProvider(input: $input) {
      ...ProviderConnectionItem_connection
    }
  }
`;
