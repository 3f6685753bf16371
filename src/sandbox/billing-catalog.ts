/**
 * What the synthetic billing data is made of, per cloud: the clouds' own service names (as their
 * billing APIs spell them), region codes and account naming. Daily costs are typical list-price
 * magnitudes for a mid-sized tenant, so dashboards built on the sandbox look like real ones.
 */
import type { CloudProvider } from "../domain/provider.js";

/** How a service's usage moves over a week: business workloads dip on weekends, storage does not. */
export type UsagePattern = "business" | "steady";

export interface CatalogService {
  name: string;
  /** GCP service.id. */
  id?: string;
  usageType: string;
  usageUnit: string;
  /** Typical cost of one account's usage on a weekday, in the billing currency. */
  dailyCost: number;
  /** Price of one usage unit, to derive a usage quantity from a cost. */
  unitPrice: number;
  pattern: UsagePattern;
  /** Billed without a region (CDN, DNS): lines carry the cloud's global region. */
  global?: boolean;
  /** Micro-amounts (0.0000008 and its small multiples), as request-priced services really bill. */
  tiny?: boolean;
}

export interface ProviderCatalog {
  services: CatalogService[];
  regions: string[];
  /** Region value of services billed globally ("" where the cloud leaves the region empty). */
  globalRegion: string;
  accountNames: string[];
}

type Traits = Partial<Pick<CatalogService, "id" | "global" | "tiny">> & { pattern?: UsagePattern };

function svc(
  name: string,
  dailyCost: number,
  usageType: string,
  usageUnit: string,
  unitPrice: number,
  traits: Traits = {},
): CatalogService {
  return { name, dailyCost, usageType, usageUnit, unitPrice, pattern: "business", ...traits };
}

const steady: Traits = { pattern: "steady" };
const global: Traits = { global: true };
const tiny: Traits = { tiny: true };

const AWS: ProviderCatalog = {
  services: [
    svc("Amazon Elastic Compute Cloud - Compute", 180, "BoxUsage:m5.large", "Hrs", 0.096),
    svc("Amazon Relational Database Service", 95, "InstanceUsage:db.r5.large", "Hrs", 0.25, steady),
    svc("Amazon Simple Storage Service", 45, "TimedStorage-ByteHrs", "GB-Mo", 0.023, steady),
    svc("EC2 - Other", 40, "EBS:VolumeUsage.gp3", "GB-Mo", 0.08, steady),
    svc("AWS Lambda", 12, "Lambda-GB-Second", "Lambda-GB-Second", 0.0000166667),
    svc("Amazon CloudFront", 20, "DataTransfer-Out-Bytes", "GB", 0.085, global),
    svc("Amazon DynamoDB", 15, "ReadRequestUnits", "ReadRequestUnits", 0.00000025),
    svc("Amazon Virtual Private Cloud", 8, "NatGateway-Hours", "Hrs", 0.045, steady),
    svc("AmazonCloudWatch", 6, "CW:MetricMonitorUsage", "Metrics", 0.3, steady),
    svc("AWS Key Management Service", 0, "KMS-Requests", "Requests", 0.000003, tiny),
    svc(
      "Amazon Elastic Container Service for Kubernetes",
      7.2,
      "AmazonEKS-Hours:perCluster",
      "Hrs",
      0.1,
      steady,
    ),
    svc("Amazon Elastic Load Balancing", 9, "LoadBalancerUsage", "Hrs", 0.0225, steady),
    svc("Amazon ElastiCache", 14, "NodeUsage:cache.r6g.large", "Hrs", 0.206, steady),
    svc("Amazon Simple Queue Service", 0, "Requests-Tier1", "Requests", 0.0000004, tiny),
    svc("Amazon Simple Notification Service", 0.2, "Requests-Tier1", "Requests", 0.0000005),
    svc("Amazon Route 53", 1.5, "HostedZone", "HostedZone", 0.5, { global: true, pattern: "steady" }),
    svc("AWS CloudTrail", 0.9, "PaidEventsRecorded", "Events", 0.00001),
    svc("AWS Config", 1.1, "ConfigurationItemRecorded", "ConfigurationItem", 0.003),
    svc("Amazon Elastic Container Service", 11, "Fargate-vCPU-Hours:perCPU", "hours", 0.04048),
    svc("Amazon Elastic File System", 3, "TimedStorage-ByteHrs", "GB-Mo", 0.3, steady),
    svc("Amazon Kinesis", 4, "Storage-ShardHour", "ShardHour", 0.015, steady),
    svc("Amazon OpenSearch Service", 10, "ESInstance:r6g.large", "Hrs", 0.167, steady),
    svc("Amazon Redshift", 26, "Node:ra3.xlplus", "Hrs", 1.086, steady),
    svc("Amazon Athena", 2, "DataScannedInTB", "Terabytes", 5),
    svc("AWS Glue", 5, "ETL-DPU-Hour", "DPU-Hour", 0.44),
    svc("Amazon SageMaker", 8, "ml.m5.xlarge-Notebook", "Hrs", 0.23),
    svc("AWS Secrets Manager", 0.4, "AWSSecretsManager-Secrets", "Secrets", 0.4, steady),
    svc("Amazon EC2 Container Registry (ECR)", 0.6, "TimedStorage-ByteHrs", "GB-Mo", 0.1, steady),
    svc("AWS Step Functions", 0.3, "StateTransition", "StateTransitions", 0.000025),
    svc("Amazon API Gateway", 2.5, "ApiGatewayRequest", "Requests", 0.0000035),
    svc("AWS WAF", 1.2, "WebACL", "WebACL", 5, global),
    svc("Amazon GuardDuty", 1.8, "PaidS3DataEventsAnalyzed", "Events", 0.0000008, steady),
    svc("AWS Backup", 1.4, "WarmStorage-ByteHrs-EBS", "GB-Mo", 0.05, steady),
    svc("Amazon Simple Email Service", 0.3, "Recipients", "Count", 0.0001),
    svc("AWS Systems Manager", 0.05, "PS-Advanced-Param-Tier1", "Parameters", 0.05, steady),
    svc("Amazon Cognito", 0.7, "CognitoUserPoolsMAU", "MAU", 0.0055),
    svc("AWS X-Ray", 0.1, "XRay-TracesStored", "Traces", 0.000005),
    svc("Amazon MQ", 3, "Broker:mq.m5.large", "Hrs", 0.288, steady),
    svc("Amazon Managed Streaming for Apache Kafka", 6, "Kafka.m5.large", "Hrs", 0.21, steady),
    svc("AWS Directory Service", 2.4, "DirectoryService-Hours", "Hrs", 0.1, steady),
    svc("Amazon Inspector", 0.5, "Inspector2-EC2InstanceScan", "Instances", 0.01258, steady),
    svc("AWS Security Hub", 0.6, "PaidComplianceCheck", "Checks", 0.001, steady),
  ],
  regions:
    "us-east-1 eu-west-1 us-west-2 eu-central-1 ap-southeast-1 us-east-2 ap-northeast-1 ap-south-1 sa-east-1 ca-central-1 eu-north-1 ap-southeast-2".split(
      " ",
    ),
  globalRegion: "global",
  accountNames:
    "management, prod-core, prod-data, staging, dev, sandbox, security-audit, log-archive, shared-services, networking, ml-platform, analytics, payments-prod, edge, qa".split(
      ", ",
    ),
};

/**
 * Service ids are the real Cloud Billing catalog ids where we know them; the remaining ones are
 * synthetic ids in the same shape (see syntheticServiceId), which adapters treat as opaque.
 */
const GCP: ProviderCatalog = {
  services: [
    svc("Compute Engine", 170, "N2 Instance Core running in Americas", "hour", 0.031611, {
      id: "6F81-5844-456A",
    }),
    svc("Cloud Storage", 38, "Standard Storage US Multi-region", "gibibyte month", 0.026, {
      id: "95FF-2EF5-5EA1",
      pattern: "steady",
    }),
    svc("BigQuery", 55, "Analysis", "tebibyte", 6.25, { id: "24E6-581D-38E5" }),
    svc("Cloud SQL", 80, "Cloud SQL for PostgreSQL: Zonal - vCPU", "hour", 0.0413, {
      id: "9662-B51E-5089",
      pattern: "steady",
    }),
    svc("Kubernetes Engine", 24, "Regional Kubernetes Clusters", "hour", 0.1, {
      id: "CCD8-9BF1-090E",
      pattern: "steady",
    }),
    svc("Cloud Run", 14, "CPU Allocation Time (tier 1)", "vCPU-second", 0.000024, { id: "152E-C115-5142" }),
    svc("Networking", 18, "Network Internet Data Transfer Out", "gibibyte", 0.085, { id: "E505-1604-58F8" }),
    svc("Vertex AI", 22, "Online Prediction n1-standard-4", "hour", 0.219, { id: "C7E2-9256-1C43" }),
    svc("Cloud Logging", 5, "Log Volume", "gibibyte", 0.5, { id: "5490-F7B7-8DF6", pattern: "steady" }),
    svc("Secret Manager", 0, "Secret access operations", "count", 0.000003, {
      id: "EE82-7A5E-871C",
      tiny: true,
    }),
    svc("Cloud Monitoring", 3, "Metric Volume", "mebibyte", 0.258, {
      id: "58CD-E7C3-72CA",
      pattern: "steady",
    }),
    svc("Cloud Pub/Sub", 4, "Message Delivery Basic", "tebibyte", 40, { id: "A1E8-BE35-7EBC" }),
    svc("Cloud Run Functions", 2, "CPU Time", "GHz-second", 0.00001, { id: "29E7-DA93-CA13" }),
    svc("Cloud Spanner", 30, "Spanner Instance Regional", "node hour", 0.9, {
      id: "CC63-0873-48FD",
      pattern: "steady",
    }),
    svc("Artifact Registry", 0.8, "Artifact Registry Storage", "gibibyte month", 0.1, {
      id: "149C-F9EC-3994",
      pattern: "steady",
    }),
    svc("Cloud DNS", 0.9, "ManagedZone", "month", 0.2, {
      id: "FA26-5236-B8B5",
      global: true,
      pattern: "steady",
    }),
    svc("Cloud Filestore", 6, "Filestore Basic HDD", "gibibyte month", 0.2, {
      id: "D97E-AB26-5D95",
      pattern: "steady",
    }),
    svc("Cloud Memorystore for Redis", 9, "Redis Capacity Standard M1", "gibibyte hour", 0.054, {
      id: "5AF5-2C11-D467",
      pattern: "steady",
    }),
    svc("App Engine", 7, "Flex Instance Core Hours", "hour", 0.0526, { id: "F17B-412E-CB64" }),
    svc("Security Command Center", 2.5, "Premium tier", "month", 2.5, {
      id: "FBF2-FC68-171A",
      pattern: "steady",
    }),
    svc("Support", 5, "Enhanced Support", "month", 5, { id: "2062-016F-44A2", pattern: "steady" }),
    svc("Gemini API", 3, "Generate content input token count", "count", 0.0000003, { id: "AEFD-7695-64FA" }),
    svc("Cloud Trace", 0.4, "Trace ingestion", "count", 0.0000002),
    svc("Workflows", 0.3, "Internal steps", "count", 0.00001),
    svc("Cloud Tasks", 0, "Cloud Tasks operations", "count", 0.0000004, { id: "F3A6-D7B7-9BDA", tiny: true }),
    svc("Cloud Scheduler", 0.1, "Jobs", "count", 0.1, { id: "1F14-4801-0E16", pattern: "steady" }),
    svc("Cloud CDN", 6, "Cache Egress North America", "gibibyte", 0.08, {
      id: "2992-EE56-ACD8",
      global: true,
    }),
    svc("Cloud Source Repositories", 0.1, "Storage", "gibibyte month", 0.1, {
      id: "CAE2-A537-4A95",
      pattern: "steady",
    }),
    svc("AlloyDB", 14, "AlloyDB for PostgreSQL vCPU", "hour", 0.06608, steady),
    svc("Cloud Dataflow", 12, "vCPU Time Batch", "hour", 0.056),
    svc("Cloud Dataproc", 6, "Licensing Fee for Dataproc", "hour", 0.01),
    svc("Cloud Build", 1.5, "Build time", "minute", 0.003),
    svc("Cloud Bigtable", 15, "Bigtable Nodes", "hour", 0.65, steady),
    svc("Cloud Key Management Service (KMS)", 0.2, "Active software key versions", "month", 0.06, steady),
    svc("Cloud Composer", 9, "Cloud Composer Compute CPUs", "hour", 0.045, steady),
    svc("Cloud Firestore", 2, "Cloud Firestore Read Ops", "count", 0.00000036),
    svc("Identity Platform", 0.8, "Identity Platform Monthly Active Users", "count", 0.0055),
    svc("Cloud Data Fusion", 4, "Data Fusion Basic", "hour", 1.8),
    svc("Eventarc", 0.5, "Eventarc events", "count", 0.0000004),
    svc("Dataplex", 1.1, "Dataplex Processing", "hour", 0.06),
  ],
  regions:
    "us-central1 europe-west1 us-east1 europe-west4 asia-east1 us-west1 asia-northeast1 australia-southeast1 southamerica-east1 europe-north1".split(
      " ",
    ),
  // The export leaves location.region empty for services billed globally.
  globalRegion: "",
  accountNames:
    "Production Web, Production Data, Staging, Development, Data Science, Shared VPC Host, Logging Sink, Security Ops, Platform Tools, Analytics, ML Training, Sandbox, Payments, Mobile Backend, QA".split(
      ", ",
    ),
};

const AZURE: ProviderCatalog = {
  services: [
    svc("Virtual Machines", 160, "D4s v5", "1 Hour", 0.192),
    svc("Storage", 35, "Hot LRS Data Stored", "1 GB/Month", 0.0184, steady),
    svc("SQL Database", 75, "vCore", "1 Hour", 0.5036, steady),
    svc("Azure App Service", 28, "P1 v3 App", "1 Hour", 0.169),
    svc("Azure Cosmos DB", 26, "100 RU/s", "100/Hour", 0.008, steady),
    svc("Bandwidth", 12, "Standard Data Transfer Out", "1 GB", 0.087),
    svc("Azure Kubernetes Service", 10, "Standard Uptime SLA", "1 Hour", 0.1, steady),
    svc("Virtual Network", 5, "Standard IPv4 Static Public IP", "1 Hour", 0.005, steady),
    svc("Log Analytics", 9, "Analytics Logs Data Ingestion", "1 GB", 2.3),
    svc("Key Vault", 0, "Operations", "10K", 0.03, tiny),
    svc("Azure Monitor", 3, "Metrics ingestion", "10M", 0.16, steady),
    svc("Load Balancer", 4, "Standard Data Processed", "1 GB", 0.005, steady),
    svc("Azure DNS", 0.3, "Public Zone", "1/Month", 0.5, { global: true, pattern: "steady" }),
    svc("Functions", 2, "Standard Execution Time", "1 GB Second", 0.000016),
    svc("Azure Database for PostgreSQL", 22, "vCore", "1 Hour", 0.1, steady),
    svc("Azure Database for MySQL", 12, "vCore", "1 Hour", 0.1, steady),
    svc("Redis Cache", 8, "C1 Cache Instance", "1 Hour", 0.1, steady),
    svc("Application Gateway", 7, "Standard v2 Fixed Cost", "1 Hour", 0.246, steady),
    svc("Container Registry", 0.8, "Premium Registry Unit", "1/Day", 1.667, steady),
    svc("Event Hubs", 3, "Standard Throughput Unit", "1 Hour", 0.03, steady),
    svc("Service Bus", 0.5, "Standard Messaging Operations", "1M", 0.8),
    svc("Backup", 4, "Azure VM Protected Instances", "1/Month", 10, steady),
    svc("Azure Firewall", 30, "Standard Deployment", "1 Hour", 1.25, steady),
    svc("Azure Front Door Service", 6, "Standard Base Fees", "1 Hour", 0.049, global),
    svc("Content Delivery Network", 2, "Standard Data Transfer", "1 GB", 0.081, global),
    svc("Azure Data Factory v2", 5, "Cloud Orchestration Activity Run", "1K", 1),
    svc("Azure Synapse Analytics", 18, "Serverless SQL Data Processed", "1 TB", 5),
    svc("Cognitive Services", 4, "Standard Text Records", "1K", 1),
    svc("Logic Apps", 0.6, "Consumption Standard Connector Actions", "1", 0.000125),
    svc("API Management", 8, "Standard Unit", "1/Day", 22.9, steady),
    svc("Azure Container Apps", 3, "Standard vCPU Active Usage", "1 Second", 0.000024),
    svc("Microsoft Defender for Cloud", 6, "Standard Node", "1/Day", 0.5, steady),
    svc("Sentinel", 5, "Pay-as-you-go Analysis", "1 GB", 4.3),
    svc("Azure Bastion", 4.6, "Basic Gateway", "1 Hour", 0.19, steady),
    svc("VPN Gateway", 3.6, "VpnGw1", "1 Hour", 0.19, steady),
    svc("Network Watcher", 0.4, "Standard Traffic Analytics Processing", "1 GB", 2.3),
    svc("Azure Databricks", 20, "Premium All-purpose Compute DBU", "1 Hour", 0.55),
    svc("Azure Cognitive Search", 8, "Standard S1", "1 Hour", 0.336, steady),
    svc("Automation", 0, "Basic Runtime", "1 Minute", 0.000002, tiny),
    svc("Azure Data Explorer", 9, "Standard D11 v2 Markup", "1 Hour", 0.11, steady),
    svc("Notification Hubs", 0.3, "Basic Unit", "1/Month", 10, steady),
  ],
  regions:
    "westeurope eastus northeurope eastus2 westus2 uksouth southeastasia japaneast australiaeast centralus".split(
      " ",
    ),
  globalRegion: "global",
  accountNames:
    "Production, Pre-Production, Development, Shared Services, Data Platform, Connectivity, Identity, Management, Sandbox, Analytics, Security, Disaster Recovery, Integration, Testing, Research".split(
      ", ",
    ),
};

/** A stable id in the catalog's "XXXX-XXXX-XXXX" shape for services whose real id we do not carry. */
export function syntheticServiceId(name: string): string {
  let hash = 0x811c9dc5;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  const word = (value: number) => value.toString(16).toUpperCase().padStart(8, "0");
  const hex = (word(hash) + word(Math.imul(hash, 0x9e3779b1) >>> 0)).slice(0, 12);
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}`;
}

const withIds = (catalog: ProviderCatalog): ProviderCatalog => ({
  ...catalog,
  services: catalog.services.map((service) => ({
    ...service,
    id: service.id ?? syntheticServiceId(service.name),
  })),
});

export const BILLING_CATALOGS: Record<CloudProvider, ProviderCatalog> = { AWS, GCP: withIds(GCP), AZURE };
