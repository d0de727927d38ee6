/**
 * Invented word parts. Names are assembled from syllables rather than taken from name lists, so no demo
 * record can be mistaken for (or traced to) a real person. Given names are onset + consonant + a
 * vowel-initial ending, so every join is pronounceable ('Bre' + 'n' + 'ara' → 'Brenara').
 */

const words = (s: string): readonly string[] => s.split(' ');

export const GIVEN_ONSETS_FEMININE = words(
	'Bre Ca Da E Fe Ila Ja Ke Lu Mi No Pe Ri Sae Ta Ve Wi Ysa Zo Aru Ote Ne'
);
export const GIVEN_ONSETS_MASCULINE = words(
	'Ba Co Da Efa Ga Ha Jo Ka Lo Ma Ne O Pa Ro Se Ta Va Wy Ze Bri Teo Ule'
);
/** The consonant between onset and ending; it also closes the short form used as a preferred name. */
export const GIVEN_MIDDLES = words('n l r v s th m d k');
export const GIVEN_ENDINGS_FEMININE = words('a ia ette ena issa elle ara ina ora ewyn ilyn aya');
export const GIVEN_ENDINGS_MASCULINE = words('an or ic eth as im o us el ard ek ian');

/** Starts end in a consonant and ends are free-standing, so any pair joins cleanly ('Tol' + 'var'). */
export const FAMILY_STARTS = words(
	'Tol Bram Cor Dav Fen Gal Hes Jor Kel Lun Mor Nev Or Pel Quil Ras Sor Tav Ul Ven Wex Yar Zan Ash Bel Cal Dren Esk Gor Iv'
);
export const FAMILY_ENDS = words(
	'var mire dane ovik rell ith aro quist ador ulan wen tane essy orne oby ander ik amir oza ling'
);

export const PLACE_STARTS = words('Brindle Fern Quill Thistle Wren Amber Copper Heron Larch Moss');
export const PLACE_ENDS = words('hollow mont vale brook haven crest mere field');
