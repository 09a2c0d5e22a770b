/*
 * The requests wing: capacity requests (buying new blocks). The planning API's contracts and routes (offerings,
 * requests, reports), the request body's wire format (wire/), the use cases (use-cases/) and the worker that
 * searches, buys, settles and registers (worker/). Approvals use the request use cases from here.
 */
export { cancelled, createRequestUseCases, type RequestUseCaseDeps, type RequestUseCases } from "./use-cases/request-use-cases";
export { changeRequest, createApproveRequest, type ApproveRequestDeps, type ViaLink } from "./use-cases/approve-request";
