/**
 * @module
 * The parts of API Gateway's events and results `tokengate/lambda` reads and writes, as
 * AWS documents them (headers.ts reads their headers). Structural, so the `aws-lambda`
 * types (`@types/aws-lambda`) fit them and nothing has to be installed for them
 * (test/types checks that they fit).
 */

/** Header maps as API Gateway sends them: v1 keeps the client's casing, v2 lower-cases. */
export type EventHeaders = { readonly [name: string]: string | undefined }

/** REST API `TOKEN` authorizer: the value of the token-source header, `Bearer ` included. */
export interface TokenAuthorizerEvent {
  readonly type: 'TOKEN'
  readonly methodArn: string
  readonly authorizationToken: string
}

/** REST API `REQUEST` authorizer, and HTTP API authorizers with payload format 1.0. */
export interface RequestAuthorizerEvent {
  readonly type: 'REQUEST'
  readonly methodArn: string
  readonly httpMethod?: string
  readonly headers?: EventHeaders | null
  /** Every value of a repeated header (`headers` keeps the last). */
  readonly multiValueHeaders?: { readonly [name: string]: readonly string[] | undefined } | null
}

/** HTTP API authorizer, payload format 2.0: headers lower-cased, repeated ones joined with `,`. */
export interface HttpApiAuthorizerEvent {
  readonly type: 'REQUEST'
  readonly version: string
  readonly routeArn: string
  readonly headers?: EventHeaders
  readonly requestContext?: { readonly http?: { readonly method?: string } }
}

/** Any authorizer event `createAuthorizer` handles. */
export type AuthorizerEvent = TokenAuthorizerEvent | RequestAuthorizerEvent | HttpApiAuthorizerEvent

/** Values an authorizer may pass on (`requestContext.authorizer` / `.lambda`): REST allows no arrays or objects. */
export type AuthorizerContext = Record<string, string | number | boolean>

/** The IAM policy answer of a REST or HTTP API authorizer. */
export interface IamAuthorizerResult {
  principalId: string
  policyDocument: {
    Version: '2012-10-17'
    Statement: [{ Action: 'execute-api:Invoke'; Effect: 'Allow' | 'Deny'; Resource: string }]
  }
  context?: AuthorizerContext
}

/** The simple answer of an HTTP API authorizer (`enableSimpleResponses`). */
export interface SimpleAuthorizerResult {
  isAuthorized: boolean
  context?: AuthorizerContext
}

/** A proxy-integration event, payload 1.0 (REST APIs; HTTP APIs with 1.0). */
export interface ProxyEventV1 {
  readonly httpMethod: string
  readonly headers: EventHeaders | null
  readonly multiValueHeaders?: { readonly [name: string]: readonly string[] | undefined } | null
}

/** A proxy-integration event, payload 2.0 (HTTP APIs, Lambda function URLs). */
export interface ProxyEventV2 {
  readonly version: string
  readonly headers: EventHeaders
  readonly requestContext: { readonly http: { readonly method: string } }
}

/** The proxy result `withBearer` answers a failure with (fits v1 and v2). */
export interface ProxyResult {
  statusCode: number
  headers: Record<string, string>
  body: string
}
