/**
 * The mobile node's security context: model, snapshot, rewrite and install (issue 4).
 */
package io.cxt.context;
