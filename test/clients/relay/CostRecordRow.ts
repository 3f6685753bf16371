import { graphql } from "./graphql-tag.js";

/** One day of one provider, refetched by its Node id. */
export const CostRecordRowFragment = graphql`
  fragment CostRecordRow_record on CostRecord @refetchable(queryName: "CostRecordRowRefetchQuery") {
    id
    date
    provider
    version
    estimated
    total {
      amount
      currency
    }
    accounts {
      id
      accountId
      name
      cost {
        amount
        currency
      }
    }
    services {
      name
      category
      cost {
        amount
        currency
      }
    }
  }
`;
