// The placeholders the README's snippets use for the service's own code (its clients, their requests
// and answers): stand-ins that give the snippets something to type-check against. The snippets in
// Generated/ are extracted by Scripts/extract-snippets.swift; this file is written by hand.
import Resilience

struct Order: Sendable { var title = "order" }
struct Receipt: Sendable {}
struct PaymentProvider: Sendable {
    func charge(_ order: Order) async throws -> Receipt { Receipt() }
}
struct HTTPClientResponse: Sendable {
    struct Status: Sendable { var code: Int }
    var status = Status(code: 200)
}
struct HTTPClientRequest: Sendable {}
struct HTTPClient: Sendable {
    func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse { HTTPClientResponse() }
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
let client = HTTPClient()
let request = HTTPClientRequest()
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
