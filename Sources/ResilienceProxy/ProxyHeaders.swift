import AsyncHTTPClient
import HTTPTypes
import NIOHTTP1

/// How headers cross the proxy: hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are
/// dropped both ways, with every header the `Connection` header names; the request gets the upstream's
/// `Host` and the client's address appended to `X-Forwarded-For`; everything else passes unchanged.
enum ProxyHeaders {
    /// The hop-by-hop headers, lowercase: `Connection`, `Keep-Alive`, `Proxy-Connection`,
    /// `Proxy-Authenticate`, `Proxy-Authorization`, `TE`, `Trailer`, `Transfer-Encoding`, `Upgrade`.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade",
    ]

    /// The headers of the request forwarded upstream. `Content-Length` is dropped too: async-http-client
    /// sets it from the buffered body.
    static func upstreamRequestHeaders(of fields: HTTPFields, host: String, clientAddress: String?) -> HTTPHeaders {
        let listed = connectionTokens(fields[values: .connection])
        var headers = HTTPHeaders()
        headers.reserveCapacity(fields.count + 2)
        var forwardedFor: [String] = []
        for field in fields {
            let name = field.name.canonicalName
            if hopByHop.contains(name) || name == "host" || name == "content-length" || listed.contains(name) { continue }
            if name == "x-forwarded-for" {
                forwardedFor.append(field.value)
                continue
            }
            headers.add(name: field.name.rawName, value: field.value)
        }
        headers.add(name: "Host", value: host)
        if let clientAddress { forwardedFor.append(clientAddress) }
        if !forwardedFor.isEmpty { headers.add(name: "X-Forwarded-For", value: forwardedFor.joined(separator: ", ")) }
        return headers
    }

    /// The head of the upstream's response as the proxy sends it: its status and reason, its headers
    /// in order, hop-by-hop ones dropped (the proxy's own connection frames the body).
    static func responseHead(of response: HTTPClientResponse) -> HTTPResponse {
        let listed = connectionTokens(response.headers["connection"])
        var fields = HTTPFields()
        fields.reserveCapacity(response.headers.count)
        for header in response.headers {
            guard let name = HTTPField.Name(header.name) else { continue }  // not a valid field name: cannot be sent on
            if hopByHop.contains(name.canonicalName) || listed.contains(name.canonicalName) { continue }
            fields.append(HTTPField(name: name, value: header.value))
        }
        return HTTPResponse(
            status: HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
            headerFields: fields)
    }

    /// The header names a `Connection` header lists, lowercase, other than `close` and `keep-alive` (which
    /// name no header beyond the hop-by-hop ones); empty, without allocating, for the usual
    /// `Connection: keep-alive` or `close`.
    static func connectionTokens(_ values: [String]) -> Set<String> {
        var tokens: Set<String> = []
        for value in values {
            for token in value.utf8.split(separator: UInt8(ascii: ",")) {
                let trimmed = token.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
                    .reversed().drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.reversed()
                if equalsIgnoringCase(trimmed, "keep-alive") || equalsIgnoringCase(trimmed, "close") { continue }
                tokens.insert(String(decoding: trimmed, as: UTF8.self).lowercased())
            }
        }
        return tokens
    }

    /// Whether `bytes` spell `lowercase` (ASCII), in any case.
    static func equalsIgnoringCase(_ bytes: some Collection<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            zip(bytes, expected).allSatisfy { byte, wanted in (byte | 0x20) == wanted || byte == wanted }
        }
    }
}
