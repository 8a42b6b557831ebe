/**
 * The public API's answers as records, one definition for the service that answers and the clients that read them
 * (mcp-service's typed client): a task, its result, a workflow, and the page they are listed in.
 */
package io.cyberun.contracts.api;
