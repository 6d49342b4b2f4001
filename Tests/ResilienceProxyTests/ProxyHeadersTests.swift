import AsyncHTTPClient
import HTTPTypes
import NIOHTTP1
import Testing
@testable import ResilienceProxy

@Suite("resilience-proxy headers")
struct ProxyHeadersTests {
    @Test("a forwarded request loses hop-by-hop headers and those Connection names, gets Host, appends X-Forwarded-For")
    func requestHeaders() throws {
        var fields = HTTPFields()
        fields.append(HTTPField(name: HTTPField.Name("Host")!, value: "proxy.local:8080"))
        fields.append(HTTPField(name: .connection, value: "keep-alive, X-Secret"))
        fields.append(HTTPField(name: HTTPField.Name("Keep-Alive")!, value: "timeout=5"))
        fields.append(HTTPField(name: HTTPField.Name("X-Secret")!, value: "hop"))
        fields.append(HTTPField(name: .transferEncoding, value: "chunked"))
        fields.append(HTTPField(name: .contentLength, value: "5"))
        fields.append(HTTPField(name: HTTPField.Name("X-Forwarded-For")!, value: "10.0.0.1"))
        fields.append(HTTPField(name: HTTPField.Name("X-Priority")!, value: "high"))
        fields.append(HTTPField(name: HTTPField.Name("X-Client-Id")!, value: "alice"))
        fields.append(HTTPField(name: .accept, value: "text/event-stream"))
        let headers = ProxyHeaders.upstreamRequestHeaders(of: fields, host: "127.0.0.1:9000", clientAddress: "127.0.0.2")
        #expect(headers.map { "\($0.name): \($0.value)" } == [
            "X-Priority: high", "X-Client-Id: alice", "Accept: text/event-stream", "Host: 127.0.0.1:9000",
            "X-Forwarded-For: 10.0.0.1, 127.0.0.2",
        ])
        let first = ProxyHeaders.upstreamRequestHeaders(of: HTTPFields(), host: "h", clientAddress: "::1")
        #expect(first.map { "\($0.name): \($0.value)" } == ["Host: h", "X-Forwarded-For: ::1"])
    }

    @Test("a response keeps its status, reason and end-to-end headers in order; hop-by-hop ones are dropped")
    func responseHead() {
        let response = HTTPClientResponse(
            status: HTTPResponseStatus(statusCode: 299, reasonPhrase: "Custom"),
            headers: [
                "Content-Type": "text/event-stream", "Connection": "close, X-Hop", "X-Hop": "1", "Transfer-Encoding": "chunked",
                "Set-Cookie": "a=1", "Set-Cookie": "b=2", "Retry-After": "3",
            ])
        let head = ProxyHeaders.responseHead(of: response)
        #expect(head.status.code == 299)
        #expect(head.status.reasonPhrase == "Custom")
        #expect(head.headerFields.map { "\($0.name): \($0.value)" } == [
            "Content-Type: text/event-stream", "Set-Cookie: a=1", "Set-Cookie: b=2", "Retry-After: 3",
        ])
    }
}
