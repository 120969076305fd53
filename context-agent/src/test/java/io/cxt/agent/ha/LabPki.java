package io.cxt.agent.ha;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A small CA for the lab's charons, made by the test: ECDSA P-256 keys and signatures from the JDK's provider,
 * the certificate structure from Bouncy Castle's ASN.1 classes (bcprov; bcpkix, with its certificate builder, is
 * not in the offline repository). strongSwan's {@code pki} tool is not installed on the lab's root (Debian's
 * strongswan-pki is not among the packages bin/install-deps and .ci/run install).
 */
final class LabPki {
    private static final AlgorithmIdentifier ECDSA_SHA256 = new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
    private static final AtomicLong SERIAL = new AtomicLong(1);

    /** A key pair and its certificate (DER). */
    record Issued(KeyPair key, X500Name subject, byte[] certificate) {
        String certificatePem() {
            return pem("CERTIFICATE", certificate);
        }

        /** PKCS#8, which swanctl loads from its {@code private/} directory. */
        String keyPem() {
            return pem("PRIVATE KEY", key.getPrivate().getEncoded());
        }
    }

    private LabPki() {
    }

    static Issued ca(String commonName) throws GeneralSecurityException, IOException {
        KeyPair k = ecKey();
        X500Name name = new X500Name("C=CH, O=cxt lab, CN=" + commonName);
        ExtensionsGenerator ext = new ExtensionsGenerator();
        ext.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ext.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new Issued(k, name, sign(name, k.getPublic(), name, k.getPrivate(), ext));
    }

    /**
     * An end-entity certificate whose subjectAltName is the IKE identity: {@code user@host} as rfc822Name, else a
     * dNSName (charon matches an FQDN or RFC822 identity against the subjectAltNames).
     */
    static Issued endEntity(Issued ca, String identity) throws GeneralSecurityException, IOException {
        KeyPair k = ecKey();
        X500Name name = new X500Name("C=CH, O=cxt lab, CN=" + identity);
        ExtensionsGenerator ext = new ExtensionsGenerator();
        ext.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        ext.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        GeneralName san = new GeneralName(identity.contains("@") ? GeneralName.rfc822Name : GeneralName.dNSName, identity);
        ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
        Issued issued = new Issued(k, name, sign(name, k.getPublic(), ca.subject(), ca.key().getPrivate(), ext));
        // the JDK must accept it as signed by the CA, before charon is asked to
        X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(issued.certificate()));
        c.verify(ca.key().getPublic());
        c.checkValidity();
        return issued;
    }

    private static KeyPair ecKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static byte[] sign(X500Name subject, PublicKey key, X500Name issuer, PrivateKey signer, ExtensionsGenerator ext)
            throws GeneralSecurityException, IOException {
        long now = System.currentTimeMillis();
        V3TBSCertificateGenerator t = new V3TBSCertificateGenerator();
        t.setSerialNumber(new ASN1Integer(BigInteger.valueOf(SERIAL.getAndIncrement())));
        t.setSignature(ECDSA_SHA256);
        t.setIssuer(issuer);
        t.setStartDate(new Time(new Date(now - 3_600_000L)));
        t.setEndDate(new Time(new Date(now + 86_400_000L)));
        t.setSubject(subject);
        t.setSubjectPublicKeyInfo(SubjectPublicKeyInfo.getInstance(key.getEncoded()));
        t.setExtensions(ext.generate());
        TBSCertificate tbs = t.generateTBSCertificate();
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(signer);
        s.update(tbs.getEncoded(ASN1Encoding.DER));
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(tbs);
        v.add(ECDSA_SHA256);
        v.add(new DERBitString(s.sign()));
        return new DERSequence(v).getEncoded(ASN1Encoding.DER);
    }

    static String pem(String type, byte[] der) {
        StringWriter w = new StringWriter();
        try (PemWriter p = new PemWriter(w)) {
            p.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return w.toString();
    }
}
