import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';

import { type AuthenticatedUser, CurrentUser, Roles } from '@rokks/auth-guard';
import {
  type DocumentPage,
  type DocumentQuery,
  type JsonMap,
  type StoredDocument,
} from '@rokks/doc-store';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';

import { DEFAULT_WORKSPACE, WorkspaceStores } from '../store/workspace-stores';
import { DOCUMENT_PAGE_SCHEMA, DOCUMENT_SCHEMA, QUERY_SCHEMA } from './document-schemas';
import { readPrecondition, versionTag } from './precondition-headers.util';

const IF_MATCH_HEADER = {
  name: 'if-match',
  required: false,
  description:
    'Write only if the document has this version (`3` or `"3"`), or exists (`*`); 412 otherwise.',
};
const IF_NONE_MATCH_HEADER = {
  name: 'if-none-match',
  required: false,
  description: '`*`: write only if the document does not exist (create only); 412 otherwise.',
};

/** Documents of the user's workspace: read, replace, merge, delete and query. */
@ApiTags('documents')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid access token.' })
@ApiForbiddenResponse({ description: 'The user lacks the role (viewer reads, editor writes).' })
@ApiBadRequestResponse({
  description: 'Invalid collection id, document id, data or query; the message names the value.',
})
@ApiParam({
  name: 'collection',
  description: 'Collection id (1 to 512 UTF-8 bytes, no "/"; "blobs" is reserved).',
})
@Controller('api/doc')
export class DocumentsController {
  constructor(
    private readonly stores: WorkspaceStores,
    @InjectPinoLogger('DocumentsController') private readonly logger: PinoLogger,
  ) {}

  @Get(':collection/:docId')
  @Roles('viewer')
  @ApiOperation({
    summary: 'Read a document',
    description: 'Returns the document with its version in the ETag header.',
  })
  @ApiParam({ name: 'docId', description: 'Document id.' })
  @ApiOkResponse({ schema: DOCUMENT_SCHEMA })
  @ApiNotFoundResponse({ description: 'No such document.' })
  async get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('collection') collection: string,
    @Param('docId') docId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StoredDocument> {
    const store = await this.stores.forWorkspace(user.workspace ?? DEFAULT_WORKSPACE);
    const document = await store.getDocument(collection, docId);

    void reply.header('etag', versionTag(document.version));

    return document;
  }

  @Put(':collection/:docId')
  @Roles('editor')
  @ApiOperation({
    summary: 'Create or replace a document',
    description: 'The body is the document data, a JSON object of at most 1 MiB as JSON.',
  })
  @ApiParam({ name: 'docId', description: 'Document id.' })
  @ApiHeader(IF_MATCH_HEADER)
  @ApiHeader(IF_NONE_MATCH_HEADER)
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  @ApiOkResponse({ schema: DOCUMENT_SCHEMA })
  @ApiPreconditionFailedResponse({
    description: 'The precondition of If-Match or If-None-Match failed; nothing was written.',
  })
  @ApiPayloadTooLargeResponse({ description: 'The data is larger than 1 MiB as JSON.' })
  async replace(
    @CurrentUser() user: AuthenticatedUser,
    @Param('collection') collection: string,
    @Param('docId') docId: string,
    @Body() data: JsonMap,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StoredDocument> {
    const precondition = readPrecondition(ifMatch, ifNoneMatch);
    const store = await this.stores.forWorkspace(user.workspace ?? DEFAULT_WORKSPACE);
    const document = await store.setDocument(collection, docId, data, { precondition });

    this.logWrite(user, 'set', collection, document);
    void reply.header('etag', versionTag(document.version));

    return document;
  }

  @Patch(':collection/:docId')
  @Roles('editor')
  @ApiOperation({
    summary: 'Merge into a document',
    description:
      'Deep-merges the body into the data: maps merge key by key, other values (arrays included) replace. A missing document is created.',
  })
  @ApiParam({ name: 'docId', description: 'Document id.' })
  @ApiHeader(IF_MATCH_HEADER)
  @ApiHeader(IF_NONE_MATCH_HEADER)
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  @ApiOkResponse({ schema: DOCUMENT_SCHEMA })
  @ApiPreconditionFailedResponse({ description: 'The precondition failed; nothing was written.' })
  @ApiPayloadTooLargeResponse({ description: 'The merged data is larger than 1 MiB as JSON.' })
  async merge(
    @CurrentUser() user: AuthenticatedUser,
    @Param('collection') collection: string,
    @Param('docId') docId: string,
    @Body() patch: JsonMap,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StoredDocument> {
    const precondition = readPrecondition(ifMatch, ifNoneMatch);
    const store = await this.stores.forWorkspace(user.workspace ?? DEFAULT_WORKSPACE);
    const document = await store.mergeDocument(collection, docId, patch, { precondition });

    this.logWrite(user, 'merge', collection, document);
    void reply.header('etag', versionTag(document.version));

    return document;
  }

  @Delete(':collection/:docId')
  @Roles('editor')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a document',
    description: 'Returns 204 also when the document did not exist (unless If-Match requires it).',
  })
  @ApiParam({ name: 'docId', description: 'Document id.' })
  @ApiHeader(IF_MATCH_HEADER)
  @ApiNoContentResponse({ description: 'Deleted, or there was nothing to delete.' })
  @ApiPreconditionFailedResponse({ description: 'The precondition failed; nothing was deleted.' })
  async delete(
    @CurrentUser() user: AuthenticatedUser,
    @Param('collection') collection: string,
    @Param('docId') docId: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    const precondition = readPrecondition(ifMatch, undefined);
    const store = await this.stores.forWorkspace(user.workspace ?? DEFAULT_WORKSPACE);
    const existed = await store.deleteDocument(collection, docId, { precondition });

    this.logger.debug(
      { userId: user.id, workspace: user.workspace, collection, docId, existed },
      'document deleted',
    );
  }

  @Post(':collection/query')
  @Roles('viewer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Query a collection',
    description:
      'All `where` clauses must match (==, !=, <, <=, >, >=, in, array-contains; dotted field paths). Results sort by `orderBy`, then by id. Pass `nextCursor` as `startAfter` for the next page.',
  })
  @ApiBody({ schema: QUERY_SCHEMA })
  @ApiOkResponse({ schema: DOCUMENT_PAGE_SCHEMA })
  async query(
    @CurrentUser() user: AuthenticatedUser,
    @Param('collection') collection: string,
    @Body() query: DocumentQuery | undefined,
  ): Promise<DocumentPage> {
    const store = await this.stores.forWorkspace(user.workspace ?? DEFAULT_WORKSPACE);

    return store.queryDocuments(collection, query ?? {});
  }

  private logWrite(
    user: AuthenticatedUser,
    op: 'set' | 'merge',
    collection: string,
    document: StoredDocument,
  ): void {
    this.logger.debug(
      {
        userId: user.id,
        workspace: user.workspace,
        collection,
        docId: document.id,
        version: document.version,
        op,
      },
      'document written',
    );
  }
}
