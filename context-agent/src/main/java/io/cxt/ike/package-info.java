/**
 * IKEv2 for context transfer: the IKE SA context of a mobile node (paper section 3.1), its JSON
 * import format, the IKEv2 message codec, Encrypted (SK) payload protection, and the protected
 * INFORMATIONAL exchange that carries MOBIKE's UPDATE_SA_ADDRESSES together with cxt's private
 * UPDATE_SPI notify (paper section 3.2.4). See docs/ike.md.
 */
package io.cxt.ike;
