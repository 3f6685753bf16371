import { graphql } from "./graphql-tag.js";

/** A client's records of a period, paged forward (usePaginationFragment). */
export const ClientCostRecordsFragment = graphql`
  fragment ClientCostRecords_client on Client
  @refetchable(queryName: "ClientCostRecordsPaginationQuery")
  @argumentDefinitions(
    period: { type: "DateRangeInput!" }
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
  ) {
    id
    costRecords(period: $period, first: $count, after: $cursor)
      @connection(key: "ClientCostRecords_costRecords", filters: ["period"]) {
      edges {
        node {
          id
          ...CostRecordRow_record
        }
      }
    }
  }
`;
