<?php
/*
 * The service providers the identity provider knows, for fix401's SAML
 * integration tests: one entry per object of sps.json beside this file
 * (written by the test, and re-read on every request).
 */
$sps = json_decode((string) @file_get_contents(__DIR__ . '/sps.json'), true) ?: [];
foreach ($sps as $sp) {
    $entry = [
        'AssertionConsumerService' => [
            [
                'Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
                'Location' => $sp['acs'],
                'index' => 0,
            ],
        ],
        'NameIDFormat' => $sp['nameIDFormat'] ?: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
    ];
    if (!empty($sp['slo'])) {
        $entry['SingleLogoutService'] = [
            [
                'Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
                'Location' => $sp['slo'],
            ],
        ];
    }
    if (!empty($sp['certData'])) {
        // The provider's signing certificate: its signed requests are
        // then checked.
        $entry['certData'] = $sp['certData'];
        $entry['validate.authnrequest'] = true;
    }
    $metadata[$sp['entityID']] = $entry;
}
