/** The OpenAPI description of the service. */
export const MONIO_DESCRIPTION =
  'MongoDB backend of the document store: documents, queries and batches as microservice messages, blobs over internal HTTPS routes, for the doc gateway when DOC_BACKEND=mongo.';
