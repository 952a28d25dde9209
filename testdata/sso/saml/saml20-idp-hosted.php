<?php
/*
 * The identity provider itself, for fix401's SAML integration tests. Its
 * entity ID is its metadata URL (__DYNAMIC:1__); its signing key and
 * certificate are in the test's cert folder (config.php's certdir).
 */
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.pem',
    'auth' => 'example-userpass',
    'saml20.sign.assertion' => true,
    'saml20.sign.response' => true,
];
