import { graphql } from "./graphql-tag.js";

/** The page query: every fragment above, from one request. */
export const DashboardPageQuery = graphql`
  query DashboardPageQuery($clientId: ID!, $period: DateRangeInput!) {
    client(id: $clientId) {
      ...ClientSummaryCard_client @arguments(period: $period)
      ...ClientCostRecords_client @arguments(period: $period)
      ...ClientJobs_client
    }
    ...Portfolio_query @arguments(period: $period)
  }
`;
