/* The usage wing: samples how busy each block is and pauses idle blocks' extensions (idle skip). */
export { sampleUsage, type SampleUsageDeps } from "./sample-usage";
