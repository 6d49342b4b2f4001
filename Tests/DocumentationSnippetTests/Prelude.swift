// The placeholders the README's snippets use for the service's own code (its clients, their requests
// and answers): stand-ins that give the snippets something to type-check against. The snippets in
// Generated/ are extracted by Scripts/extract-snippets.swift; this file is written by hand.
// Re-exported so that the README's blocks that use async-http-client's types without importing it (the result
// classifier's `response.status.code`) see their members, which MemberImportVisibility otherwise hides.
@_exported import AsyncHTTPClient
@_exported import NIOHTTP1
import NIOCore
import Resilience

struct Order: Sendable { var title = "order" }
struct Receipt: Sendable {}
struct PaymentProvider: Sendable {
    func charge(_ order: Order) async throws -> Receipt { Receipt() }
}
// The README's HTTP snippets use async-http-client's real types (its "HTTP client" section needs them for
// ResilientHTTPClient); these aliases make them visible to every generated file, which imports only what its
// block imports.
typealias HTTPClientResponse = AsyncHTTPClient.HTTPClientResponse
typealias HTTPClientRequest = AsyncHTTPClient.HTTPClientRequest
typealias HTTPClient = AsyncHTTPClient.HTTPClient
extension AsyncHTTPClient.HTTPClient {
    /// What `client.execute(request)` reads in a snippet: the real call with a timeout.
    func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        try await execute(request, timeout: .seconds(30))
    }
}
struct LanguageModel: Sendable {
    func complete(_ prompt: String) async throws -> String { prompt }
    func summarize(_ order: Order) async throws -> String { order.title }
}
struct Product: Sendable {}
struct ProductsAPI: Sendable {
    func products() async throws -> [Product] { [] }
}
struct Templates: Sendable {
    func summary(of order: Order) -> String { order.title }
}

let provider = PaymentProvider()
let gateway = PaymentProvider()
let order = Order()
let client = HTTPClient.shared
let request = HTTPClientRequest(url: "https://partner.example.com/orders")
/// A stand-in idempotency key.
let key = "order-42"
/// A stand-in JSON body.
let json = #"{"order": 42}"#
let url = URLStandIn(host: "partner.example.com")
let llm = LanguageModel()
let prompt = "Summarize the order."
let api = ProductsAPI()
let templates = Templates()
/// The breaker the README's first snippet makes, used by the ones after it (a global: policy
/// initializers do not throw).
let payments = CircuitBreaker(name: "payments")

/// What `url.host` reads in a snippet.
struct URLStandIn: Sendable { var host: String? }
