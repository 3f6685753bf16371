/**
 * The billing names each cloud uses for its services, grouped by FOCUS ServiceCategory.
 * AWS: Cost Explorer SERVICE dimension values plus the CUR/FOCUS product names ("Amazon Elastic
 * Compute Cloud"). GCP: billing export service.description. Azure: Cost Management ServiceName
 * (meter category) plus the names Microsoft's FOCUS export uses ("Storage Accounts").
 *
 * Where the provider's own FOCUS export assigns a category, that assignment wins over the FOCUS
 * spec's illustrative table, so category totals match what the customer sees in the provider's
 * tools: AWS files ECS, EKS, ECR and ROSA under Other, KMS under Identity, API Gateway under
 * Networking and Step Functions under Compute.
 */
import type { CloudProvider } from "./provider.js";
import type { ServiceCategory } from "./service-category.js";

type CategoryLists = Partial<Record<ServiceCategory, readonly string[]>>;

/**
 * A service whose rows the provider splits across categories by what was used. The service's own
 * entry in the category lists is its dominant category, used when no usage type is known.
 */
export interface UsageRefinement {
  /** First match wins; tested against the usage type, SKU or charge description. */
  patterns: readonly (readonly [RegExp, ServiceCategory])[];
  /** Category of a row whose usage type is known but matches no pattern. */
  otherwise: ServiceCategory;
}

export interface ProviderServiceCatalog {
  categories: CategoryLists;
  refinements: Readonly<Record<string, UsageRefinement>>;
}

/**
 * EBS volumes, snapshots, IOPS/throughput and EBS-optimized instance hours, whether given as an AWS
 * usage type ("USE1-EBS:VolumeUsage.gp3", "APS1-EBSOptimized:c5.xlarge") or as the SKU description
 * AWS prints on the line ("$0.08 per GB-month of General Purpose SSD (gp3) provisioned storage").
 */
const AWS_BLOCK_STORAGE =
  /EBS(:|Optimized)|provisioned storage|snapshot data stored|provisioned (IOPS|MiBps|throughput)|I\/O requests|Mbps per .*instance-hour|Fast Snapshot Restore/i;
/** Persistent disks, Hyperdisk, snapshots and images, as GCP names them in sku.description. */
const GCP_BLOCK_STORAGE = /\bPD\b|Hyperdisk|Snapshot|Storage Image|Machine Image|Local SSD|Local Storage/i;

export const SERVICE_CATALOG: Readonly<Record<CloudProvider, ProviderServiceCatalog>> = {
  AWS: {
    categories: {
      Compute: [
        "Amazon Elastic Compute Cloud - Compute",
        "Amazon Elastic Compute Cloud",
        "AWS Lambda",
        "AWS Step Functions",
        "Amazon WorkSpaces",
        "AWS App Runner",
        "Savings Plans for AWS Compute usage",
      ],
      // "EC2 - Other" is mostly EBS volumes and snapshots; its NAT gateway and data transfer rows
      // are Compute when the usage type says so (refinement below).
      Storage: [
        "EC2 - Other",
        "Amazon Simple Storage Service",
        "Amazon Elastic File System",
        "Amazon Elastic Block Store",
        "Amazon Glacier",
        "Amazon FSx",
        "AWS Backup",
        "AWS Transfer Family",
      ],
      Databases: [
        "Amazon Relational Database Service",
        "Amazon DynamoDB",
        "Amazon ElastiCache",
        "Amazon MemoryDB",
        "Amazon Redshift",
        "Amazon DocumentDB (with MongoDB compatibility)",
        "Amazon Neptune",
        "Amazon Timestream",
        "AWS AppSync",
      ],
      Networking: [
        "Amazon CloudFront",
        "Amazon Virtual Private Cloud",
        "Elastic Load Balancing",
        "Amazon Elastic Load Balancing",
        "Amazon Route 53",
        "Amazon API Gateway",
        "AWS Data Transfer",
        "AWS Global Accelerator",
        "AWS Direct Connect",
      ],
      "Management and Governance": [
        "AmazonCloudWatch",
        "AWS CloudTrail",
        "AWS Systems Manager",
        "AWS Config",
        "AWS X-Ray",
        "AWS Cost Explorer",
        "Amazon Managed Service for Prometheus",
        "Amazon Managed Grafana",
        "AWS Support (Business)",
        "AWS Support (Enterprise)",
        "AWS Support (Developer)",
      ],
      Integration: [
        "Amazon Simple Queue Service",
        "Amazon Simple Notification Service",
        "Amazon EventBridge",
        "CloudWatch Events",
        "Amazon MQ",
        "Amazon Simple Email Service",
        "Amazon Pinpoint",
      ],
      Analytics: [
        "Amazon Athena",
        "AWS Glue",
        "Amazon Elastic MapReduce",
        "Amazon Kinesis",
        "Amazon Kinesis Firehose",
        "Amazon Managed Streaming for Apache Kafka",
        "Amazon OpenSearch Service",
        "Amazon QuickSight",
      ],
      "AI and Machine Learning": [
        "Amazon SageMaker",
        "Amazon Bedrock",
        "Amazon Rekognition",
        "Amazon Textract",
        "Amazon Comprehend",
        "Amazon Transcribe",
        "Amazon Translate",
        "Amazon Polly",
        "Amazon Lex",
      ],
      Security: [
        "AWS Security Hub",
        "AWS WAF",
        "AWS Shield",
        "Amazon GuardDuty",
        "Amazon Inspector",
        "Amazon Macie",
        "AWS Secrets Manager",
        "AWS Certificate Manager",
      ],
      Identity: ["AWS Key Management Service", "Amazon Cognito", "AWS Directory Service"],
      "Developer Tools": ["AWS CodeBuild", "AWS CodePipeline", "AWS CodeArtifact", "AWS Elastic Beanstalk"],
      Web: ["Amazon Lightsail", "AWS Amplify"],
      "Business Applications": ["Amazon Connect", "Amazon WorkMail", "Amazon Chime"],
      "Internet of Things": ["AWS IoT"],
      Migration: ["AWS Database Migration Service", "AWS Application Migration Service"],
      Media: ["AWS Elemental MediaConvert"],
      Multicloud: ["AWS Outposts"],
      // Tax is a known billing row with no service behind it, not an unrecognized service.
      Other: [
        "Amazon Elastic Container Service",
        "Amazon Elastic Container Service for Kubernetes",
        "Amazon EC2 Container Registry (ECR)",
        "Red Hat OpenShift Service on AWS",
        "Tax",
      ],
    },
    refinements: {
      "Amazon Elastic Compute Cloud": { patterns: [[AWS_BLOCK_STORAGE, "Storage"]], otherwise: "Compute" },
      "Amazon Elastic Compute Cloud - Compute": {
        patterns: [[AWS_BLOCK_STORAGE, "Storage"]],
        otherwise: "Compute",
      },
      "EC2 - Other": { patterns: [[AWS_BLOCK_STORAGE, "Storage"]], otherwise: "Compute" },
    },
  },
  GCP: {
    categories: {
      Compute: ["Compute Engine", "Kubernetes Engine", "Cloud Run", "Cloud Run Functions", "Cloud Functions"],
      Storage: ["Cloud Storage", "Cloud Filestore", "Filestore", "Backup and DR Service"],
      Databases: [
        "BigQuery",
        "BigQuery Reservation API",
        "BigQuery Storage API",
        "Cloud SQL",
        "Cloud Spanner",
        "Cloud Bigtable",
        "Cloud Firestore",
        "Cloud Datastore",
        "Cloud Memorystore for Redis",
        "AlloyDB",
      ],
      Networking: [
        "Networking",
        "Cloud DNS",
        "Cloud CDN",
        "Cloud Interconnect",
        "Cloud VPN",
        "Serverless VPC Access",
        "API Gateway",
      ],
      "Management and Governance": [
        "Cloud Logging",
        "Cloud Monitoring",
        "Cloud Trace",
        "Support",
        "Invoice",
        "Dataplex",
      ],
      Integration: ["Cloud Pub/Sub", "Eventarc", "Cloud Tasks", "Cloud Scheduler", "Workflows", "Apigee"],
      Analytics: [
        "Dataflow",
        "Cloud Dataflow",
        "Cloud Dataproc",
        "Dataproc",
        "Cloud Composer",
        "Looker",
        "Cloud Data Fusion",
      ],
      "AI and Machine Learning": [
        "Vertex AI",
        "Gemini API",
        "Cloud Vision API",
        "Cloud Natural Language API",
        "Cloud Speech API",
        "Cloud Text-to-Speech API",
        "Translate",
        "Document AI",
        "Dialogflow",
      ],
      Security: [
        "Secret Manager",
        "Cloud Key Management Service (KMS)",
        "Certificate Authority Service",
        "Security Command Center",
        "Cloud Armor",
      ],
      Identity: ["Identity Platform", "Cloud Identity"],
      "Developer Tools": ["Artifact Registry", "Cloud Build", "Cloud Deploy", "Cloud Source Repositories"],
      Web: ["App Engine"],
      Migration: ["Database Migration Service", "Storage Transfer Service"],
      Media: ["Transcoder API"],
      Multicloud: ["Anthos"],
    },
    refinements: {
      "Compute Engine": { patterns: [[GCP_BLOCK_STORAGE, "Storage"]], otherwise: "Compute" },
    },
  },
  AZURE: {
    categories: {
      Compute: [
        "Virtual Machines",
        "Virtual Machine Scale Sets",
        "Azure Kubernetes Service",
        "Functions",
        "Container Instances",
        "Azure Container Apps",
        "Container Registry",
        "Batch",
        "Azure Virtual Desktop",
      ],
      Storage: ["Storage", "Storage Accounts", "Backup", "Azure NetApp Files"],
      Databases: [
        "SQL Database",
        "SQL Managed Instance",
        "Azure Cosmos DB",
        "Azure Database for MySQL",
        "Azure DB for MySQL",
        "Azure Database for PostgreSQL",
        "Azure DB for PostgreSQL",
        "Redis Cache",
        "Azure Cache for Redis",
      ],
      Networking: [
        "Bandwidth",
        "Virtual Network",
        "Load Balancer",
        "Application Gateway",
        "Azure DNS",
        "Azure Front Door Service",
        "Content Delivery Network",
        "VPN Gateway",
        "ExpressRoute",
        "Network Watcher",
        "Azure Bastion",
        "Azure Firewall",
      ],
      "Management and Governance": [
        "Azure Monitor",
        "Log Analytics",
        "Azure Site Recovery",
        "Advisor",
        "Support",
      ],
      Integration: [
        "Service Bus",
        "Event Grid",
        "Event Hubs",
        "Logic Apps",
        "API Management",
        "Azure Data Factory v2",
        "Automation",
      ],
      Analytics: [
        "Azure Synapse Analytics",
        "Azure Databricks",
        "Stream Analytics",
        "Azure Data Explorer",
        "Power BI Embedded",
        "Azure Cognitive Search",
      ],
      "AI and Machine Learning": ["Azure Machine Learning", "Cognitive Services", "Azure OpenAI"],
      Security: ["Key Vault", "Microsoft Defender for Cloud", "Sentinel", "Azure DDOS Protection"],
      Identity: ["Microsoft Entra ID", "Azure Active Directory", "Microsoft Entra Domain Services"],
      "Developer Tools": ["Azure DevOps"],
      Web: ["Azure App Service", "Azure Static Web Apps", "SignalR"],
      "Internet of Things": ["IoT Hub"],
      Migration: ["Azure Database Migration Service"],
      Media: ["Media Services"],
      Mobile: ["Notification Hubs"],
      Multicloud: ["Azure Arc"],
    },
    refinements: {},
  },
};
