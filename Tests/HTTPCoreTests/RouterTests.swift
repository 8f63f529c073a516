import HTTPCore
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

private func request(_ method: HTTPMethod, _ target: String) throws -> HTTPRequest {
    try HTTPRequest(method: method, target: target, headers: ["Host": "x"])
}

private func answer(_ router: Router, _ method: HTTPMethod, _ target: String) throws -> HTTPResponse {
    guard case .response(let response) = router.respond(to: try request(method, target)) else {
        Issue.record("expected an immediate response")
        return HTTPResponse(status: .internalServerError)
    }
    return response
}

private struct Boom: Error {}

@Suite struct RouterTests {
    let router: Router = {
        var builder = RouterBuilder()
        builder.get("/healthz") { _, _ in HTTPResponse.text("ok") }
        builder.get("/users/{id}/events") { _, parameters in HTTPResponse.text(try parameters.require("id")) }
        builder.post("/users/{id}/events") { _, _ in HTTPResponse(status: .created) }
        builder.get("/items/{id}") { request, parameters in
            let k = try request.queryInt("k", default: 10, range: 1...100)!
            return HTTPResponse.text("\(parameters["id"]!):\(k)")
        }
        builder.get("/boom") { _, _ -> HTTPResponse in throw Boom() }
        builder.onDeferred(.post, "/later") { _, _, promise in promise.succeed(HTTPResponse(status: .accepted)) }
        builder.onEither(.get, "/maybe/{how}") { _, parameters in
            switch try parameters.require("how") {
            case "now": return .response(HTTPResponse.text("now"))
            case "later":
                let promise = HTTPResponsePromise()
                promise.succeed(HTTPResponse(status: .accepted))
                return .deferred(promise)
            default: throw Boom()
            }
        }
        return builder.build()
    }()

    @Test func matchesStaticAndTemplatedRoutes() throws {
        #expect(try answer(router, .get, "/healthz").body == Array("ok".utf8))
        #expect(try answer(router, .get, "/healthz/").status == .ok)
        let events = try answer(router, .get, "/users/a%2Fb%20c/events")
        #expect(String(decoding: events.body, as: UTF8.self) == "a/b c")
        #expect(events.route == "/users/{id}/events")
        #expect(try answer(router, .post, "/users/u1/events").status == .created)
        #expect(String(decoding: try answer(router, .get, "/items/i9?k=3").body, as: UTF8.self) == "i9:3")
    }

    @Test func unknownPathIs404AndWrongMethodIs405WithAllow() throws {
        let missing = try answer(router, .get, "/nope")
        #expect(missing.status == .notFound)
        #expect(missing.headers["Content-Type"] == "application/problem+json")
        let wrong = try answer(router, .delete, "/users/u1/events")
        #expect(wrong.status == .methodNotAllowed)
        #expect(wrong.headers["Allow"] == "GET, HEAD, OPTIONS, POST")
        let options = try answer(router, .options, "/healthz")
        #expect(options.status == .noContent)
        #expect(options.headers["Allow"] == "GET, HEAD, OPTIONS")
    }

    @Test func headIsServedByTheGetRoute() throws {
        #expect(try answer(router, .head, "/healthz").status == .ok)
    }

    @Test func badQueryParameterIsA400NamingIt() throws {
        let response = try answer(router, .get, "/items/i9?k=0")
        #expect(response.status == .badRequest)
        #expect(String(decoding: response.body, as: UTF8.self).contains("query parameter 'k'"))
    }

    @Test func unexpectedErrorsBecome500WithoutDetails() throws {
        let response = try answer(router, .get, "/boom")
        #expect(response.status == .internalServerError)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("Boom"))
    }

    @Test func deferredRoutesCompleteTheirPromise() throws {
        guard case .deferred(let promise) = router.respond(to: try request(.post, "/later")) else {
            Issue.record("expected deferred")
            return
        }
        let box = ResponseBox()
        promise.whenComplete { box.set($0) }
        #expect(box.get()?.status == .accepted)
        #expect(box.get()?.route == "/later")
    }

    @Test func eitherRoutesAnswerNowOrLaterAndAreLabelledBothWays() throws {
        let now = try answer(router, .get, "/maybe/now")
        #expect(now.body == Array("now".utf8))
        #expect(now.route == "/maybe/{how}")
        guard case .deferred(let promise) = router.respond(to: try request(.get, "/maybe/later")) else {
            Issue.record("expected deferred")
            return
        }
        let box = ResponseBox()
        promise.whenComplete { box.set($0) }
        #expect(box.get()?.status == .accepted)
        #expect(box.get()?.route == "/maybe/{how}")
        let failed = try answer(router, .get, "/maybe/boom")
        #expect(failed.status == .internalServerError)
        #expect(failed.route == "/maybe/{how}")
    }
}

@Suite struct JSONStringTests {
    /// Both quoting forms must agree, and the result must be a JSON string that decodes back.
    @Test func quotingEscapesWhatJSONRequires() throws {
        for text in ["plain", "quote \" and \\ back", "tab\tnew\nline\r", "\u{01}\u{1F}", "café ☕︎ 日本", ""] {
            var bytes: [UInt8] = []
            JSONString.append(text, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == JSONString.quote(text))
            let decoded = try JSONDecoder().decode(String.self, from: Data(bytes))
            #expect(decoded == text)
        }
        #expect(JSONString.quote("\u{01}") == #""\u0001""#)
    }
}
